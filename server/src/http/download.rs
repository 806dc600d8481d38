//! Every file download of the API leaves through here: the content type, and a
//! `Content-Disposition` that says whether the browser shows the file or saves it, and as what.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::download::Download;
use crate::error::AppError;

impl IntoResponse for Download {
    fn into_response(self) -> Response {
        let kind = if self.inline { "inline" } else { "attachment" };
        let disposition =
            match HeaderValue::from_str(&format!("{kind}; filename=\"{}\"", self.file_name)) {
                Ok(value) => value,
                Err(e) => {
                    return AppError::internal(format!("download file name: {e}")).into_response()
                }
            };
        (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(self.content_type),
                ),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            self.bytes,
        )
            .into_response()
    }
}
