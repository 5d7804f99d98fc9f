//! How SQL runs, on either database: opening it (`connect`), statements with owned arguments
//! (`statement`), one transaction body for both drivers (`tx`), rows decoded the same way
//! whichever driver read them (`row`), the SQLite file's group-commit writer (`batch`) and
//! direct reads (`read`), pages of results (`list`), and the errors the store answers with
//! (`error`). The table modules above use these; none of them opens a connection itself.

pub(crate) mod batch;
pub(crate) mod connect;
pub(crate) mod error;
pub(crate) mod list;
pub(crate) mod read;
pub(crate) mod row;
pub(crate) mod statement;
pub(crate) mod tx;
