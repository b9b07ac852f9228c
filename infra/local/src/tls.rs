//! A TLS front before the emulator, for `make bench`: a function talking to it pays the TCP and TLS
//! handshakes it pays against AWS, which plain HTTP to moto hides. The front makes a throwaway CA and a
//! certificate for 127.0.0.1 and `localhost`, writes the CA where `SSL_CERT_FILE` can point (the SDK's
//! rustls client reads its roots from the platform, which honours that variable), and pipes each
//! connection, decrypted, to the emulator.

use crate::LocalError;
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A running front: `endpoint` is its `https://` URL, `ca_file` the CA to trust.
pub struct TlsFront {
    pub endpoint: String,
    pub ca_file: PathBuf,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        self.task.abort();
        let _ = std::fs::remove_file(&self.ca_file);
    }
}

fn setup(what: &str) -> impl FnOnce(rcgen::Error) -> LocalError + '_ {
    move |e| LocalError::Setup(format!("{what}: {e}"))
}

/// Starts a front on a free loopback port that forwards to `upstream` (`host:port`).
pub async fn start(upstream: String) -> Result<TlsFront, LocalError> {
    let ca_key = KeyPair::generate().map_err(setup("CA key"))?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(setup("CA parameters"))?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).map_err(setup("CA certificate"))?;
    let key = KeyPair::generate().map_err(setup("server key"))?;
    let params = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .map_err(setup("server parameters"))?;
    let cert = params.signed_by(&key, &ca, &ca_key).map_err(setup("server certificate"))?;

    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| {
            b.with_no_client_auth().with_single_cert(
                vec![CertificateDer::from(cert.der().to_vec())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )
        })
        .map_err(|e| LocalError::Setup(format!("TLS server configuration: {e}")))?;
    let acceptor = TlsAcceptor::from(Arc::new(config));

    let ca_file = std::env::temp_dir().join(format!("nudge-bench-ca-{}.pem", std::process::id()));
    std::fs::write(&ca_file, ca.pem()).map_err(LocalError::io(format!("writing {}", ca_file.display())))?;
    let listener = TcpListener::bind("127.0.0.1:0").await.map_err(LocalError::io("binding the TLS front"))?;
    let endpoint = format!("https://{}", listener.local_addr().map_err(LocalError::io("TLS front address"))?);
    let task = tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let (acceptor, upstream) = (acceptor.clone(), upstream.clone());
            tokio::spawn(async move {
                // Without NODELAY, Nagle's algorithm holds the small records of a handshake for the peer's
                // delayed ACK, a stall a function never meets against AWS.
                let _ = client.set_nodelay(true);
                let Ok(mut tls) = acceptor.accept(client).await else { return };
                let Ok(mut plain) = TcpStream::connect(&upstream).await else { return };
                let _ = plain.set_nodelay(true);
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    Ok(TlsFront { endpoint, ca_file, task })
}
