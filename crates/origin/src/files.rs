//! `/files/PATH`: the files of one folder, so that a page the origin serves (the talk's
//! `async.html`, with the jQuery it loads) asks the jobs API of its own origin, as a browser
//! allows without CORS.

use std::path::{Component, Path, PathBuf};

use bytes::Bytes;
use hyper::StatusCode;
use hyper::header::{CONTENT_TYPE, HeaderValue};

use crate::{Payload, Reply, text};

/// The answer to `/files/{rest}` from the folder `root`: the file, or 404 for a path that is not
/// a file under it (`..` and absolute paths included).
pub(crate) async fn serve(root: Option<&Path>, rest: &str) -> Reply {
    let Some(root) = root else {
        return text(
            StatusCode::NOT_FOUND,
            "this origin serves no files (start it with --files DIR)\n",
        );
    };
    let Some(path) = under(root, rest) else {
        return text(StatusCode::NOT_FOUND, "no such file\n");
    };
    let file = path.clone();
    match tokio::task::spawn_blocking(move || std::fs::read(file)).await {
        Ok(Ok(body)) => {
            let mut reply = hyper::Response::new(Payload::whole(Bytes::from(body)));
            reply
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(content_type(&path)));
            reply
        }
        _ => text(StatusCode::NOT_FOUND, "no such file\n"),
    }
}

/// `rest` as a path inside `root`, if it names nothing outside it.
fn under(root: &Path, rest: &str) -> Option<PathBuf> {
    let relative = Path::new(rest);
    let inside = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    (inside && !rest.is_empty()).then(|| root.join(relative))
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("css") => "text/css",
        Some("txt" | "md") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_inside_the_folder_are_served() {
        let root = Path::new("/srv/js");
        assert_eq!(
            under(root, "talks/async.html"),
            Some(PathBuf::from("/srv/js/talks/async.html"))
        );
        for outside in ["../secret", "talks/../../x", "/etc/passwd", "", "./a"] {
            assert_eq!(under(root, outside), None, "{outside}");
        }
    }

    #[test]
    fn pages_and_scripts_carry_their_types() {
        assert_eq!(
            content_type(Path::new("a/async.html")),
            "text/html; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("jquery.min.js")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("x")), "application/octet-stream");
    }
}
