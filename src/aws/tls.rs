//! Which certificate authorities TLS trusts: the system's (or `SSL_CERT_FILE`/`SSL_CERT_DIR`),
//! embedded public roots where the system has none (scratch images, empty chroots), plus
//! `AWS_CA_BUNDLE` (a corporate CA), which the Rust SDK does not read by itself.

use std::path::Path;

use aws_smithy_http_client::tls::{TlsContext, TrustStore};
use pki_types::CertificateDer;
use pki_types::pem::PemObject;

use crate::error::Error;

/// Where OpenSSL-based systems keep their CA bundle (the places rustls-native-certs looks).
const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/cert.pem",
    "/etc/pki/tls/cacert.pem",
    "/usr/local/share/certs/ca-root-nss.crt",
    "/etc/ssl/certs",
];

/// The trust store, and a description of it for `--verbose`.
pub struct Trust {
    pub context: TlsContext,
    pub description: String,
}

/// Builds the trust store from the environment.
pub fn trust() -> Result<Trust, Error> {
    let variable = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
    let user_roots = variable("SSL_CERT_FILE").is_some() || variable("SSL_CERT_DIR").is_some();
    if let Some(file) = variable("SSL_CERT_FILE") {
        read_certificates("SSL_CERT_FILE", Path::new(&file))?;
    }
    let system_roots = user_roots || SYSTEM_BUNDLES.iter().any(|path| Path::new(path).exists());
    let (mut store, mut description) = if system_roots {
        let source = if user_roots {
            "SSL_CERT_FILE/SSL_CERT_DIR"
        } else {
            "the system's CA bundle"
        };
        (TrustStore::default(), source.to_owned())
    } else {
        let mut store = TrustStore::empty().with_native_roots(false);
        for certificate in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
            store = store.with_pem_certificate(to_pem(certificate));
        }
        (
            store,
            "embedded public roots (no CA bundle on this system)".to_owned(),
        )
    };
    if let Some(bundle) = variable("AWS_CA_BUNDLE") {
        let (pem, count) = read_certificates("AWS_CA_BUNDLE", Path::new(&bundle))?;
        store = store.with_pem_certificate(pem);
        description.push_str(&format!(" + {count} certificates from AWS_CA_BUNDLE"));
    }
    let context = TlsContext::builder()
        .with_trust_store(store)
        .build()
        .map_err(|error| Error::Other(format!("cannot set up TLS: {error}")))?;
    Ok(Trust {
        context,
        description,
    })
}

/// Reads a PEM bundle, refusing one that holds no usable CA certificate (the SDK would panic on
/// a certificate it cannot parse).
fn read_certificates(variable: &str, path: &Path) -> Result<(Vec<u8>, usize), Error> {
    let problem = |what: String| {
        Error::Usage(format!(
            "{variable}={}: {what}",
            crate::error::shown_path(path)
        ))
    };
    let pem = std::fs::read(path).map_err(|error| problem(format!("cannot read it: {error}")))?;
    let mut count = 0;
    for (index, certificate) in CertificateDer::pem_slice_iter(&pem).enumerate() {
        let certificate = certificate.map_err(|error| {
            problem(format!(
                "certificate {} is not valid PEM: {error}",
                index + 1
            ))
        })?;
        rustls::RootCertStore::empty()
            .add(certificate)
            .map_err(|error| {
                problem(format!(
                    "certificate {} cannot be a trust root: {error}",
                    index + 1
                ))
            })?;
        count += 1;
    }
    if count == 0 {
        return Err(problem("it holds no PEM certificate".into()));
    }
    Ok((pem, count))
}

fn to_pem(certificate: &CertificateDer<'_>) -> Vec<u8> {
    let encoded = aws_smithy_types::base64::encode(certificate.as_ref());
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in encoded.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_roots_convert_to_parsable_pem() {
        let first = &webpki_root_certs::TLS_SERVER_ROOT_CERTS[0];
        let pem = to_pem(first);
        let parsed: Vec<_> = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(parsed, vec![first.clone()]);
    }

    #[test]
    fn bundles_without_usable_certificates_are_refused() {
        let directory = tempfile::tempdir().unwrap();
        let empty = directory.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let message = read_certificates("AWS_CA_BUNDLE", &empty)
            .unwrap_err()
            .to_string();
        assert!(message.contains("holds no PEM certificate"), "{message}");
        let garbage = directory.path().join("garbage.pem");
        std::fs::write(
            &garbage,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let message = read_certificates("AWS_CA_BUNDLE", &garbage)
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("certificate 1 cannot be a trust root"),
            "{message}"
        );
        let missing =
            read_certificates("AWS_CA_BUNDLE", &directory.path().join("nope")).unwrap_err();
        assert!(missing.to_string().contains("cannot read it"));
        let good = directory.path().join("good.pem");
        std::fs::write(&good, to_pem(&webpki_root_certs::TLS_SERVER_ROOT_CERTS[1])).unwrap();
        assert_eq!(read_certificates("AWS_CA_BUNDLE", &good).unwrap().1, 1);
    }
}
