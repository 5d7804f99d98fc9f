//! The `latchkey` binary.

// mimalloc hands large blocks (each argon2id hash takes 19 MiB) back to the system soon after
// they are freed; glibc's allocator keeps them in each thread's arena, and resident memory
// grows with the number of threads that ever hashed a password.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    latchkey::cli::main()
}
