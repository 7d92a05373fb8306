//! surf as this model uses it: one request with redirects followed by hand (surf's own redirect
//! middleware does not say where it ended up), the body checked against its `Content-Length`,
//! and TLS roots for `--ca-cert`.

use std::sync::Arc;

use common::{FetchError, Page, Run};

/// GETs `url`, following redirects, and returns the page or why it could not.
pub async fn get(client: &surf::Client, url: &str) -> Result<Page<Vec<u8>>, FetchError> {
    let (url, mut response) = common::follow_redirects(url, |url| async move {
        let response = client.get(&url).await.map_err(surf_error)?;
        let location = response
            .header("Location")
            .map(|v| v.last().as_str().to_string());
        Ok((u16::from(response.status()), location, response))
    })
    .await?;
    common::check_status(response.status().into())?;
    let announced = response.len();
    let body = response.body_bytes().await;
    let body = body.map_err(|e| FetchError::in_body(surf_error(e)))?;
    // async-h1 returns a body cut short by a closed connection as if it were whole: check its
    // length against the Content-Length ourselves.
    common::check_length(announced, body.len())?;
    Ok(Page::new(url, body))
}

/// surf's error is not a `std::error::Error`; its inner error is.
fn surf_error(e: surf::Error) -> FetchError {
    FetchError::classify(e.into_inner().as_ref())
}

/// surf's TLS is rustls 0.18 with the public roots of 2020 (webpki-roots 0.20); with
/// `--ca-cert`, the same roots and that authority. `None` keeps surf's default.
pub fn tls_config(run: &Run) -> anyhow::Result<Option<Arc<surf_rustls::ClientConfig>>> {
    let Some(extra) = run.ca_cert() else {
        return Ok(None);
    };
    let mut config = surf_rustls::ClientConfig::new();
    config
        .root_store
        .add_server_trust_anchors(&surf_webpki_roots::TLS_SERVER_ROOTS);
    config
        .root_store
        .add(&surf_rustls::Certificate(extra.to_vec()))
        .map_err(|e| {
            anyhow::anyhow!("surf's rustls cannot use the --ca-cert certificate: {e:?}")
        })?;
    Ok(Some(Arc::new(config)))
}
