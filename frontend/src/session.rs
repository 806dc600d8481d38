//! Browser-side storage of the staff token (sessionStorage: it ends with the tab) and cookies.
//! Candidate pages keep nothing here (VN-19). On the server these report "nothing stored".
//!
//! The server renews a staff token on use (idle timeout): the newest token is stored here, and
//! a page still holding an older one has it swapped for the newest when it calls the API.

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
        SUPERSEDED.with(|s| s.borrow_mut().clear());
    }

    thread_local! {
        /// Staff tokens replaced by a renewal in this tab.
        static SUPERSEDED: std::cell::RefCell<std::collections::HashSet<String>> =
            std::cell::RefCell::default();
    }

    /// The server renewed the staff token: keep the new one, remember the old one as replaced.
    pub fn renew_staff_token(new: &str) {
        if let Some(old) = staff_token() {
            SUPERSEDED.with(|s| s.borrow_mut().insert(old));
        }
        set_staff_token(new);
    }

    /// The token to send: the newest staff token in place of one a renewal replaced.
    pub fn current_token(given: &str) -> String {
        let replaced = SUPERSEDED.with(|s| s.borrow().contains(given));
        match staff_token() {
            Some(newest) if replaced => newest,
            _ => given.to_string(),
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
    pub fn renew_staff_token(_new: &str) {}
    pub fn current_token(given: &str) -> String {
        given.to_string()
    }
    pub fn cookies() -> Option<String> {
        None
    }
    pub fn set_cookie(_cookie: &str) {}
}

pub use imp::*;
