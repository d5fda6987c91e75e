//! Typed HTTP client for the server's public API, used by the console, the demo, the load
//! generator and the tests. It speaks only the wire types in [`crate::api`].

mod credit;
mod events;
mod experts;
mod inquiry;
mod joint_events;
mod letters;
pub use letters::{BOUNDARY, Upload, multipart_body};
mod trust;

pub use events::{EventStream, StreamItem};
pub use trust::Trust;

use reqwest::{Method, StatusCode};
use serde::{Serialize, de::DeserializeOwned};

use crate::api::*;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server refused the request; `body` is its JSON error.
    #[error("{status}: {}", body.error.message)]
    Api { status: StatusCode, body: ErrorBody },
    /// The server could not be reached, or the connection broke.
    #[error("cannot reach server: {0}")]
    Transport(String),
    /// The server's TLS certificate was refused: `host`, and why (unknown issuer, wrong
    /// name, expired…).
    #[error("证书校验失败 / TLS certificate of {host} refused: {reason}")]
    Tls { host: String, reason: String },
    /// The server answered something that is not the expected JSON.
    #[error("unexpected answer from server: {0}")]
    Decode(String),
}

impl ClientError {
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api { body, .. } => Some(&body.error.code),
            _ => None,
        }
    }
    /// The request field the server named as at fault.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Api { body, .. } => body.error.field.as_deref(),
            _ => None,
        }
    }
}

pub type Result<T> = std::result::Result<T, ClientError>;

/// Query for `GET /api/v1/deliveries`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DeliveryQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<DeliveryStatus>,
    /// `incoming` (default for department users) or `outgoing`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<String>,
    /// Only for roles that see every department.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl std::fmt::Debug for Client {
    // Never print the token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("base", &self.base).finish()
    }
}

impl Client {
    /// A client for `base`; an `https://` server is verified against the system's roots.
    pub fn new(base: &str, token: Option<String>) -> Self {
        Self::with_trust(base, token, &Trust::system())
            .expect("reqwest client builds with the system's roots")
    }

    /// A client that also trusts `trust`'s extra roots (a county's own CA, `--ca-file`).
    pub fn with_trust(base: &str, token: Option<String>, trust: &Trust) -> Result<Self> {
        crate::tls::install_provider();
        let http = trust
            .apply(reqwest::Client::builder())
            .connect_timeout(std::time::Duration::from_secs(5))
            .pool_max_idle_per_host(64)
            // Below the server's default idle keep-alive (`--header-read-timeout-secs`, 15 s),
            // so a pooled connection is dropped here before the server closes it under a request.
            .pool_idle_timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| ClientError::Transport(trust::describe(&e)))?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            token,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }
    pub fn with_token(&self, token: impl Into<String>) -> Self {
        Self {
            http: self.http.clone(),
            base: self.base.clone(),
            token: Some(token.into()),
        }
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut rb = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(t) = &self.token {
            rb = rb.bearer_auth(t);
        }
        rb
    }

    async fn send<T: DeserializeOwned>(rb: reqwest::RequestBuilder) -> Result<T> {
        let resp = rb.send().await.map_err(|e| trust::classify(&e))?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|e| trust::classify(&e))?;
        if !status.is_success() {
            let body = serde_json::from_slice::<ErrorBody>(&bytes).unwrap_or_else(|_| ErrorBody {
                error: ErrorDetail {
                    code: "http_error".into(),
                    message: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
                    field: None,
                    earliest: None,
                },
            });
            return Err(ClientError::Api { status, body });
        }
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Decode(e.to_string()))
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        Self::send(self.request(Method::GET, path)).await
    }
    pub async fn get_query<T: DeserializeOwned, Q: Serialize>(
        &self,
        path: &str,
        q: &Q,
    ) -> Result<T> {
        Self::send(self.request(Method::GET, path).query(q)).await
    }
    pub async fn post<T: DeserializeOwned, B: Serialize>(&self, path: &str, body: &B) -> Result<T> {
        Self::send(self.request(Method::POST, path).json(body)).await
    }
    pub async fn put<T: DeserializeOwned, B: Serialize>(&self, path: &str, body: &B) -> Result<T> {
        Self::send(self.request(Method::PUT, path).json(body)).await
    }

    pub async fn health(&self) -> Result<Health> {
        self.get("/healthz").await
    }
    pub async fn login(&self, username: &str, password: &str) -> Result<SessionCreated> {
        let body = Login {
            username: username.into(),
            password: password.into(),
        };
        self.post("/api/v1/sessions", &body).await
    }
    pub async fn me(&self) -> Result<Me> {
        self.get("/api/v1/me").await
    }
    pub async fn departments(&self) -> Result<Vec<Department>> {
        self.get("/api/v1/departments").await
    }
    pub async fn create_approval_push(
        &self,
        push: &NewApprovalPush,
        idempotency_key: Option<&str>,
    ) -> Result<Push> {
        let mut rb = self
            .request(Method::POST, "/api/v1/approval-pushes")
            .json(push);
        if let Some(k) = idempotency_key {
            rb = rb.header("Idempotency-Key", k);
        }
        Self::send(rb).await
    }
    pub async fn create_supervision_push(&self, push: &NewSupervisionPush) -> Result<Push> {
        self.post("/api/v1/supervision-pushes", push).await
    }
    pub async fn deliveries(&self, q: &DeliveryQuery) -> Result<Page<Delivery>> {
        self.get_query("/api/v1/deliveries", q).await
    }
    pub async fn delivery(&self, id: i64) -> Result<DeliveryDetail> {
        self.get(&format!("/api/v1/deliveries/{id}")).await
    }
    pub async fn claim(&self, id: i64) -> Result<Delivery> {
        self.post(
            &format!("/api/v1/deliveries/{id}/claim"),
            &serde_json::json!({}),
        )
        .await
    }
    pub async fn feedback(&self, id: i64, body: &str) -> Result<Dispute> {
        self.post(
            &format!("/api/v1/deliveries/{id}/feedback"),
            &NewMessage { body: body.into() },
        )
        .await
    }
    pub async fn escalate(&self, id: i64, reason: &str) -> Result<Escalation> {
        self.post(
            &format!("/api/v1/deliveries/{id}/escalate"),
            &NewEscalation {
                reason: reason.into(),
            },
        )
        .await
    }
    /// `status` is `open` or `resolved`; `None` lists both.
    /// Duties, soonest deadline first: `state` a comma-separated list (default: the
    /// outstanding ones), `cursor` the previous page's `next_cursor`.
    pub async fn duties(&self, state: Option<&str>, cursor: Option<&str>) -> Result<Page<Duty>> {
        #[derive(Serialize)]
        struct Q<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            state: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            cursor: Option<&'a str>,
            limit: u32,
        }
        self.get_query(
            "/api/v1/duties",
            &Q {
                state,
                cursor,
                limit: 500,
            },
        )
        .await
    }
    /// Licences newest first: `q` a part of the number, the holder's code or name, or the item.
    pub async fn licenses(&self, q: Option<&str>, holder: Option<&str>) -> Result<Page<License>> {
        #[derive(Serialize)]
        struct Q<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            q: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            holder: Option<&'a str>,
            limit: u32,
        }
        self.get_query(
            "/api/v1/licenses",
            &Q {
                q,
                holder,
                limit: 50,
            },
        )
        .await
    }
    /// One licence with its history.
    pub async fn license(&self, no: &str) -> Result<License> {
        self.get(&format!("/api/v1/licenses/{}", segment(no))).await
    }
    /// A holder's standing, credit history and licences.
    pub async fn counterparty(&self, code: &str) -> Result<CounterpartyView> {
        self.get(&format!("/api/v1/counterparties/{}", segment(code)))
            .await
    }
    pub async fn admission(&self, code: &str) -> Result<AdmissionAnswer> {
        self.get(&format!(
            "/api/v1/counterparties/{}/admission",
            segment(code)
        ))
        .await
    }
    pub async fn disputes(&self, status: Option<&str>) -> Result<Page<Dispute>> {
        #[derive(Serialize)]
        struct Q<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            status: Option<&'a str>,
        }
        self.get_query("/api/v1/disputes", &Q { status }).await
    }
    pub async fn reply(&self, dispute_id: i64, body: &str) -> Result<Dispute> {
        self.post(
            &format!("/api/v1/disputes/{dispute_id}/replies"),
            &NewMessage { body: body.into() },
        )
        .await
    }
    pub async fn resolve(&self, dispute_id: i64, resolution: Option<&str>) -> Result<Dispute> {
        let body = ResolveDispute {
            resolution: resolution.map(str::to_string),
        };
        self.post(&format!("/api/v1/disputes/{dispute_id}/resolve"), &body)
            .await
    }
    pub async fn monthly_stats(&self, month: &str) -> Result<MonthlyStats> {
        self.get_query("/api/v1/stats/monthly", &[("month", month)])
            .await
    }
    pub async fn accountability(&self, month: &str) -> Result<Vec<AccountabilityRecord>> {
        self.get_query("/api/v1/accountability", &[("month", month)])
            .await
    }
    /// `POST /api/v1/bulletins`: issue a month's bulletin, or a correction of it.
    pub async fn issue_bulletin(&self, b: &NewBulletin) -> Result<BulletinIssued> {
        self.post("/api/v1/bulletins", b).await
    }
    /// A month's bulletin: `version` a number, `live`, or `None` for the latest issued.
    pub async fn bulletin(&self, month: &str, version: Option<&str>) -> Result<Bulletin> {
        let q: Vec<(&str, &str)> = version.map(|v| ("version", v)).into_iter().collect();
        self.get_query(&format!("/api/v1/bulletins/{month}"), &q)
            .await
    }
    /// The issued versions of a month.
    pub async fn bulletins(&self, month: &str) -> Result<Vec<BulletinIssued>> {
        self.get_query("/api/v1/bulletins", &[("month", month)])
            .await
    }
    /// `GET /api/v1/reports/monthly`: the bulletin as a file (the bytes as served).
    pub async fn monthly_report(
        &self,
        month: &str,
        format: ReportFormat,
        version: Option<&str>,
    ) -> Result<Vec<u8>> {
        let format = serde_json::to_value(format).expect("a unit enum serialises");
        let mut q = vec![
            ("month", month),
            ("format", format.as_str().unwrap_or_default()),
        ];
        if let Some(v) = version {
            q.push(("version", v));
        }
        let resp = self
            .request(Method::GET, "/api/v1/reports/monthly")
            .query(&q)
            .send()
            .await
            .map_err(|e| trust::classify(&e))?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|e| trust::classify(&e))?;
        if !status.is_success() {
            let body = serde_json::from_slice::<ErrorBody>(&bytes)
                .map_err(|e| ClientError::Decode(e.to_string()))?;
            return Err(ClientError::Api { status, body });
        }
        Ok(bytes.to_vec())
    }
    /// Annotate a ledger record (duty officers, admins).
    pub async fn annotate_accountability(
        &self,
        id: i64,
        decision: AnnotationDecision,
        text: &str,
    ) -> Result<Annotation> {
        let body = NewAnnotation {
            decision,
            text: text.into(),
        };
        self.post(&format!("/api/v1/accountability/{id}/annotations"), &body)
            .await
    }
    /// The audit chain head (duty officers, admins).
    pub async fn audit_head(&self) -> Result<AuditHead> {
        self.get("/api/v1/audit/head").await
    }
    pub async fn set_test_clock(
        &self,
        now: chrono::DateTime<chrono::FixedOffset>,
    ) -> Result<Health> {
        self.put("/api/v1/test/clock", &SetClock { now }).await
    }

    /// The live event stream, resuming after `last_event_id`; reconnects by itself.
    pub fn events(&self, last_event_id: Option<i64>) -> EventStream {
        EventStream::new(
            self.http.clone(),
            self.base.clone(),
            self.token.clone(),
            last_event_id,
            None,
        )
    }
    /// [`Client::events`] with opt-in topics (`"license"`).
    pub fn events_with(&self, last_event_id: Option<i64>, topics: &'static str) -> EventStream {
        EventStream::new(
            self.http.clone(),
            self.base.clone(),
            self.token.clone(),
            last_event_id,
            Some(topics),
        )
    }
}

/// A path segment, percent-encoded (licence numbers may hold `/`, spaces or Chinese).
pub fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
