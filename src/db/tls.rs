//! TLS on rustls (ring provider) with libpq's `sslmode` meanings: what each mode encrypts
//! and which certificate checks it makes.
//!
//! Reads only the root certificate file; tokio-postgres does the negotiation.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_cert_signed_by_trust_anchor, verify_server_name};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres::config::SslMode as WireMode;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::error::{Error, Result};

/// libpq's default root certificate file, under the home directory.
const DEFAULT_ROOT_CERT: &str = ".postgresql/root.crt";

/// libpq's `sslmode` values, except `allow`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Plaintext.
    Disable,
    /// TLS when the server offers it, plaintext otherwise; the certificate is not checked.
    Prefer,
    /// TLS; the certificate is checked only when a root certificate file exists.
    Require,
    /// TLS; the certificate must chain to the root certificate.
    VerifyCa,
    /// TLS; the certificate must chain to the root certificate and name the host.
    VerifyFull,
}

impl SslMode {
    pub fn parse(value: &str) -> Option<SslMode> {
        Some(match value {
            "disable" => SslMode::Disable,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    /// What tokio-postgres negotiates; the certificate checks are the connector's.
    pub fn wire_mode(self) -> WireMode {
        match self {
            SslMode::Disable => WireMode::Disable,
            SslMode::Prefer => WireMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => WireMode::Require,
        }
    }
}

/// The TLS half of a connection string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsOptions {
    pub mode: SslMode,
    /// `sslrootcert`; libpq's default file is used when it is absent.
    pub root_cert: Option<PathBuf>,
}

impl TlsOptions {
    /// The rustls connector for a mode other than `disable`, checking certificates against
    /// `root_cert_file` (from `root_cert_file()`) when there is one.
    pub fn connector(&self, root_cert_file: Option<&Path>) -> Result<MakeRustlsConnect> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = Verifier {
            roots: root_cert_file.map(load_roots).transpose()?,
            check_name: self.mode == SslMode::VerifyFull,
            algorithms: provider.signature_verification_algorithms,
        };
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|error| Error::Connection(format!("cannot set up TLS: {error}")))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        Ok(MakeRustlsConnect::new(config))
    }

    /// The root certificates to check the server against, as libpq picks them: verify-ca and
    /// verify-full need a file; require uses one if it exists; prefer never checks.
    pub fn root_cert_file(&self) -> Result<Option<PathBuf>> {
        let path = match (&self.root_cert, std::env::var_os("HOME")) {
            (Some(path), _) => Some(path.clone()),
            (None, Some(home)) => Some(Path::new(&home).join(DEFAULT_ROOT_CERT)),
            (None, None) => None,
        };
        match self.mode {
            SslMode::Disable | SslMode::Prefer => Ok(None),
            SslMode::Require => Ok(path.filter(|path| path.exists())),
            SslMode::VerifyCa | SslMode::VerifyFull => match path {
                Some(path) if path.exists() => Ok(Some(path)),
                Some(path) => Err(Error::Connection(format!(
                    "root certificate file {} does not exist, and sslmode={} needs one\n  \
                     hint: name the CA certificate with sslrootcert=PATH, or use \
                     sslmode=require to encrypt without checking the server's certificate",
                    path.display(),
                    self.mode.name()
                ))),
                None => Err(Error::Connection(format!(
                    "sslmode={} needs a root certificate, and $HOME is not set to find \
                     ~/{DEFAULT_ROOT_CERT}\n  hint: name it with sslrootcert=PATH",
                    self.mode.name()
                ))),
            },
        }
    }
}

fn load_roots(path: &Path) -> Result<RootCertStore> {
    let unusable = |reason: String| {
        Error::Connection(format!(
            "cannot use root certificate file {}: {reason}",
            path.display()
        ))
    };
    let pem = std::fs::read(path).map_err(|error| unusable(error.to_string()))?;
    let mut roots = RootCertStore::empty();
    for certificate in CertificateDer::pem_slice_iter(&pem) {
        let certificate = certificate.map_err(|error| unusable(error.to_string()))?;
        roots
            .add(certificate)
            .map_err(|error| unusable(error.to_string()))?;
    }
    if roots.is_empty() {
        return Err(unusable("it holds no PEM certificate".into()));
    }
    Ok(roots)
}

/// Checks the server's certificate as the mode asks; handshake signatures are always
/// verified, so the server proves it holds the certificate's key.
#[derive(Debug)]
struct Verifier {
    /// `None`: any certificate is accepted (encryption without authentication).
    roots: Option<RootCertStore>,
    check_name: bool,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let Some(roots) = &self.roots else {
            return Ok(ServerCertVerified::assertion());
        };
        let certificate = ParsedCertificate::try_from(end_entity)?;
        verify_server_cert_signed_by_trust_anchor(
            &certificate,
            roots,
            intermediates,
            now,
            self.algorithms.all,
        )?;
        if self.check_name {
            verify_server_name(&certificate, server_name)?;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, certificate, signature, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, certificate, signature, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_round_trip_and_allow_is_not_one() {
        for name in ["disable", "prefer", "require", "verify-ca", "verify-full"] {
            assert_eq!(SslMode::parse(name).map(SslMode::name), Some(name));
        }
        assert_eq!(SslMode::parse("allow"), None);
        assert_eq!(SslMode::parse("VERIFY-FULL"), None);
    }

    #[test]
    fn verify_modes_need_an_existing_root_certificate() {
        let options = TlsOptions {
            mode: SslMode::VerifyCa,
            root_cert: Some("/nonexistent/autogen-root.crt".into()),
        };
        let error = options.root_cert_file().expect_err("missing file");
        assert!(
            error
                .to_string()
                .starts_with("root certificate file /nonexistent/autogen-root.crt does not exist"),
            "{error}"
        );
        let require = TlsOptions {
            mode: SslMode::Require,
            ..options
        };
        assert_eq!(require.root_cert_file().ok(), Some(None));
    }

    #[test]
    fn a_file_without_certificates_is_refused() {
        let path = std::env::temp_dir().join(format!("autogen-no-cert-{}.pem", std::process::id()));
        std::fs::write(&path, "not a certificate\n").expect("temp file");
        let error = load_roots(&path).expect_err("no certificate");
        std::fs::remove_file(&path).ok();
        assert!(
            error.to_string().ends_with("it holds no PEM certificate"),
            "{error}"
        );
    }
}
