//! TLS to PostgreSQL as libpq's `sslmode` asks (and as the URLs Latchkey took before used
//! it): `disable`; `prefer` (the default) and `require` encrypt without checking the server's
//! certificate, unless `sslrootcert` names the authorities to check it against; `verify-ca`
//! checks the chain; `verify-full` checks the chain and the host name. Authorities are the
//! web's (webpki roots) plus those of `sslrootcert`.

use std::sync::Arc;

use rustls::DigitallySignedStruct;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::verify_server_cert_signed_by_trust_anchor;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use tokio_postgres::config::SslMode;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::{Error, Result};

/// How much of the server's certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    Nothing,
    Chain,
    ChainAndHost,
}

/// The URL without the TLS parameters tokio-postgres does not take, the mode it is given,
/// and the connector that does what `sslmode` asked.
pub(crate) fn split(url: &str) -> Result<(String, SslMode, MakeRustlsConnect)> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let (mut mode, mut root) = ("prefer".to_owned(), None);
    // The other parameters pass as they were written: re-encoding them would turn the
    // spaces of `options=-c%20search_path%3D…` into `+`, which tokio-postgres keeps.
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decoded = || {
            url::form_urlencoded::parse(value.as_bytes())
                .next()
                .map(|(v, _)| v.into_owned())
                .unwrap_or_default()
        };
        match name {
            "sslmode" => mode = decoded(),
            "sslrootcert" => root = Some(decoded()),
            _ => kept.push(pair),
        }
    }
    let url = match kept.is_empty() {
        true => base.to_owned(),
        false => format!("{base}?{}", kept.join("&")),
    };
    let (ssl, check) = match mode.as_str() {
        "disable" => (SslMode::Disable, Check::Nothing),
        "allow" | "prefer" => (SslMode::Prefer, Check::Nothing),
        "require" => (SslMode::Require, Check::Nothing),
        "verify-ca" => (SslMode::Require, Check::Chain),
        "verify-full" => (SslMode::Require, Check::ChainAndHost),
        other => return Err(Error::Corrupt(format!("unknown sslmode {other:?}"))),
    };
    // libpq checks the chain under `require` too once it is given the authorities.
    let check = match (check, &root) {
        (Check::Nothing, Some(_)) => Check::Chain,
        _ => check,
    };
    let connector = MakeRustlsConnect::new(client_config(check, root.as_deref())?);
    Ok((url, ssl, connector))
}

fn client_config(check: Check, root: Option<&str>) -> Result<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = root {
        let bad = |e: &dyn std::fmt::Display| Error::Corrupt(format!("sslrootcert {path}: {e}"));
        for cert in CertificateDer::pem_file_iter(path).map_err(|e| bad(&e))? {
            roots.add(cert.map_err(|e| bad(&e))?).map_err(|e| bad(&e))?;
        }
    }
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Corrupt(format!("TLS: {e}")))?;
    let roots = Arc::new(roots);
    let config = match check {
        Check::ChainAndHost => builder.with_root_certificates(roots),
        _ => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Lenient {
                roots: (check == Check::Chain).then_some(roots),
                provider,
            })),
    }
    .with_no_client_auth();
    Ok(config)
}

/// `prefer`/`require` (accept any certificate) and `verify-ca` (check the chain only).
#[derive(Debug)]
struct Lenient {
    roots: Option<Arc<rustls::RootCertStore>>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Lenient {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        if let Some(roots) = &self.roots {
            let cert = ParsedCertificate::try_from(end_entity)?;
            let algorithms = self.provider.signature_verification_algorithms;
            verify_server_cert_signed_by_trust_anchor(
                &cert,
                roots,
                intermediates,
                now,
                algorithms.all,
            )?;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(message, cert, dss, algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(message, cert, dss, algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
