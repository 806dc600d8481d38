//! Browser-side storage of the staff token (sessionStorage: it ends with the tab) and cookies.
//! Candidate pages keep nothing here (VN-19). On the server these report "nothing stored".

#[cfg(feature = "hydrate")]
mod imp {
    use wasm_bindgen::JsCast;

    const KEY: &str = "thituyen.staff_token";

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.session_storage().ok()?
    }

    pub fn staff_token() -> Option<String> {
        storage()?.get_item(KEY).ok()?
    }

    pub fn set_staff_token(token: &str) {
        if let Some(s) = storage() {
            let _ = s.set_item(KEY, token);
        }
    }

    pub fn clear_staff_token() {
        if let Some(s) = storage() {
            let _ = s.remove_item(KEY);
        }
    }

    fn html_document() -> Option<web_sys::HtmlDocument> {
        web_sys::window()?.document()?.dyn_into().ok()
    }

    pub fn cookies() -> Option<String> {
        html_document()?.cookie().ok()
    }

    pub fn set_cookie(cookie: &str) {
        if let Some(d) = html_document() {
            let _ = d.set_cookie(cookie);
        }
    }
}

#[cfg(not(feature = "hydrate"))]
mod imp {
    pub fn staff_token() -> Option<String> {
        None
    }
    pub fn set_staff_token(_token: &str) {}
    pub fn clear_staff_token() {}
    pub fn cookies() -> Option<String> {
        None
    }
    pub fn set_cookie(_cookie: &str) {}
}

pub use imp::*;
