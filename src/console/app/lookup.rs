//! The lookup prompt (issue 10): type a licence number, a holder's code or a name; confirm
//! asks the server (`GET /api/v1/licenses?q=`, then the first licence with its history and its
//! holder's standing); the answer shows in the same overlay. Cancel closes it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::App;
use crate::console::action::{Command, Effect, Outcome, RequestError};
use crate::console::model::{LookupResult, Mode};

impl App {
    pub(crate) fn lookup_key(&mut self, ev: KeyEvent, modal: Option<Command>) -> Option<Effect> {
        let Mode::Lookup(l) = &mut self.mode else {
            return None;
        };
        match modal {
            Some(Command::Cancel) => {
                self.mode = Mode::Normal;
                return None;
            }
            Some(Command::Confirm) => {
                let query = l.query.trim().to_string();
                if query.is_empty() || l.searching {
                    return None;
                }
                l.searching = true;
                l.error = None;
                return Some(Effect::Lookup { query });
            }
            _ => {}
        }
        let plain = !ev
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match ev.code {
            KeyCode::Char(c) if plain && !l.searching => l.query.push(c),
            KeyCode::Backspace if !l.searching => {
                l.query.pop();
            }
            KeyCode::Up => l.scroll.set(l.scroll.get().saturating_sub(1)),
            KeyCode::Down => l.scroll.set(l.scroll.get().saturating_add(1)),
            KeyCode::PageUp => l.scroll.set(l.scroll.get().saturating_sub(10)),
            KeyCode::PageDown => l.scroll.set(l.scroll.get().saturating_add(10)),
            _ => {}
        }
        None
    }

    pub(crate) fn on_looked_up(&mut self, result: Outcome<Box<LookupResult>>) -> Option<Effect> {
        let Mode::Lookup(l) = &mut self.mode else {
            // Closed meanwhile: the answer is no longer wanted (a lost session still counts).
            return match result {
                Err(e @ (RequestError::Unauthorized | RequestError::SessionIdle)) => {
                    self.request_failed(e, false)
                }
                _ => None,
            };
        };
        l.searching = false;
        l.scroll.set(0);
        match result {
            Ok(r) => {
                l.result = Some(r);
                l.error = None;
                None
            }
            Err(RequestError::Failed(m)) => {
                l.error = Some(m);
                None
            }
            Err(e) => self.request_failed(e, false),
        }
    }
}

/// The requests of a lookup. A licence number or a holder's code — what is usually typed or
/// scanned — is found through its index first (`GET /api/v1/licenses/{no}`, `?holder=`);
/// anything else is the server-side search (`?q=`: a part of a number, code, name or item).
/// Then the first licence with its history, and its holder (a 404 — not the caller's to see —
/// is no error: the licences still show).
pub async fn lookup(
    c: &crate::client::Client,
    query: &str,
) -> Result<LookupResult, crate::client::ClientError> {
    let query = query.trim();
    let not_found = |e: &crate::client::ClientError| e.status().is_some_and(|s| s.as_u16() == 404);
    let exact = match c.license(query).await {
        Ok(l) => Some(l),
        Err(e) if not_found(&e) => None,
        Err(e) => return Err(e),
    };
    let code = query.to_ascii_uppercase();
    let code_shaped = code.len() == 18 && code.bytes().all(|b| b.is_ascii_alphanumeric());
    let (licenses, license) = match exact {
        Some(l) => {
            let mut listed = l.clone();
            listed.history = None;
            (vec![listed], Some(l))
        }
        None => {
            let mut found = Vec::new();
            if code_shaped {
                found = c.licenses(None, Some(&code)).await?.items;
            }
            if found.is_empty() {
                found = c.licenses(Some(query), None).await?.items;
            }
            let first = match found.first() {
                Some(l) => Some(c.license(&l.license_no).await?),
                None => None,
            };
            (found, first)
        }
    };
    let holder_code = license
        .as_ref()
        .map(|l| l.holder_code.clone())
        .unwrap_or(code);
    let holder = match c.counterparty(&holder_code).await {
        Ok(h) => Some(h),
        Err(e) if not_found(&e) || e.status().is_some_and(|s| s.as_u16() == 400) => None,
        Err(e) => return Err(e),
    };
    Ok(LookupResult {
        query: query.to_string(),
        licenses,
        license,
        holder,
    })
}
