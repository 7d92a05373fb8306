//! The roots every client trusts: the public ones (Mozilla's, as shipped in `webpki-roots`) and,
//! with `--ca-cert`, one authority more. Verification is never turned off.

use std::sync::Arc;

use rustls_pki_types::CertificateDer;

/// A rustls client configuration that trusts the public roots and `extra`, speaking HTTP/1.1.
pub fn client_config(
    extra: Option<&CertificateDer<'static>>,
) -> Result<rustls::ClientConfig, rustls::Error> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(cert) = extra {
        roots.add(cert.clone())?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
