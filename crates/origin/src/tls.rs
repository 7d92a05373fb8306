//! HTTPS for the origin: a certificate authority and a certificate for `localhost`, made at
//! start with rcgen, so that clients can be tested over TLS with verification on. The authority's
//! certificate is written to a file for the clients to trust (`--ca-cert FILE`).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

/// The origin's TLS identity: what it serves with, and the authority a client must trust.
pub(crate) struct Identity {
    pub acceptor: TlsAcceptor,
    pub ca_pem: String,
}

impl Identity {
    /// A fresh authority and a certificate for `localhost` signed by it. Only for that name:
    /// the same server reached as `127.0.0.1` must be refused, which shows that a client checks
    /// the name of every host it connects to, even on a connection it could reuse.
    pub fn generate() -> io::Result<Identity> {
        let ca_key = KeyPair::generate().map_err(io::Error::other)?;
        let mut ca_params =
            CertificateParams::new(Vec::<String>::new()).map_err(io::Error::other)?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "asynchronicity local origin CA");
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca = CertifiedIssuer::self_signed(ca_params, ca_key).map_err(io::Error::other)?;

        let key = KeyPair::generate().map_err(io::Error::other)?;
        let mut params =
            CertificateParams::new(vec!["localhost".to_string()]).map_err(io::Error::other)?;
        params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = params.signed_by(&key, &ca).map_err(io::Error::other)?;

        let chain = vec![cert.der().clone(), ca.der().clone()];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(io::Error::other)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Identity {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            ca_pem: ca.pem(),
        })
    }
}

/// A file holding the authority's certificate, removed when dropped.
#[derive(Debug)]
pub struct CaFile(PathBuf);

impl CaFile {
    /// Writes `pem` to a file of its own in the temporary directory.
    pub fn write(pem: &str, port: u16) -> io::Result<CaFile> {
        let path = std::env::temp_dir().join(format!(
            "asynchronicity-origin-{}-{port}-ca.pem",
            std::process::id()
        ));
        std::fs::write(&path, pem)?;
        Ok(CaFile(path))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for CaFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
