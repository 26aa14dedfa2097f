//! `copydesk console`: the operator console, a web server in the CLI binary.
//!
//! Layout: `mod.rs` holds the settings, the server, the routes and the data each page needs;
//! [`auth`] the token, session and CSRF rules; [`failures`] grouping dead letters by cause;
//! [`pages`] the HTML (server-rendered, every string escaped) and the one small script;
//! [`overview`] the live per-stage sampler.
//!
//! Dead-letter actions call the same functions as `copydesk dlq` (`copydesk_runtime::ops`):
//! a replay keeps the message id and removes the dead letter only after the broker confirmed
//! the republish.

pub mod auth;
pub mod failures;
mod overview;
mod pages;

use anyhow::Context;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use copydesk_runtime::config::{Layers, Settings};
use copydesk_runtime::ops::{self, DeadLetterDetail, Selection};
use copydesk_runtime::{broker, Publisher};
use copydesk_types::names::Names;
use copydesk_types::Stage;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// `[console]`: the operator console.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsoleSettings {
    /// Address to listen on. Anything but loopback needs `token_env`.
    pub bind: String,
    /// Port; 0 picks a free one (printed at start).
    pub port: u16,
    /// Name of the environment variable holding the console token. Empty: a token is made at
    /// start and printed, and the console only listens on loopback.
    pub token_env: String,
    /// Seconds between samples of the queues (the overview's live figures and rates).
    pub refresh_secs: u64,
}

impl Default for ConsoleSettings {
    fn default() -> Self {
        ConsoleSettings {
            bind: "127.0.0.1".into(),
            port: 9190,
            token_env: String::new(),
            refresh_secs: 2,
        }
    }
}

/// Everything a request handler needs.
pub(crate) struct Console {
    names: Names,
    conn: Arc<lapin::Connection>,
    publisher: Publisher,
    auth: auth::Auth,
    store: Result<copydesk_store::Store, String>,
    ingest: copydesk_ingest::IngestConfig,
    publish: copydesk_publish::PublishConfig,
    overview: overview::Sampler,
}

type App = Arc<Console>;

/// Run the console until Ctrl-C.
pub async fn run(layers: &Layers, settings: Settings) -> anyhow::Result<()> {
    let cfg: ConsoleSettings = layers.section("console")?;
    let (token, configured) = token(&cfg)?;
    auth::check_bind(&cfg.bind, configured).map_err(|e| anyhow::anyhow!(e))?;
    let store = match layers.section("store") {
        Ok(store_cfg) => copydesk_store::Store::open(&store_cfg)
            .await
            .map_err(|e| format!("state store: {e}")),
        Err(e) => Err(e.to_string()),
    };
    let console = Console::start(
        settings,
        &cfg,
        token.clone(),
        store,
        layers.section("ingest")?,
        layers.section("publish")?,
    )
    .await?;
    let listener = tokio::net::TcpListener::bind((cfg.bind.as_str(), cfg.port))
        .await
        .with_context(|| format!("listen on {}:{}", cfg.bind, cfg.port))?;
    let addr = listener.local_addr()?;
    let login = if configured {
        format!("log in with the token in ${}", cfg.token_env.trim())
    } else {
        format!(
            "log in with this token (made for this run; set console.token_env to choose one): {}",
            secrecy::ExposeSecret::expose_secret(&token)
        )
    };
    // One write, errors ignored: a supervisor (or a test) that reads the address and closes
    // the pipe must not stop the console (println! panics on a closed stdout).
    let banner = format!(
        "copydesk console for namespace '{}' on http://{addr}/\n{login}\n",
        console.names.namespace
    );
    let mut out = std::io::stdout().lock();
    let _ = std::io::Write::write_all(&mut out, banner.as_bytes());
    let _ = std::io::Write::flush(&mut out);
    drop(out);
    tracing::info!(console.addr = %addr, "console listening");
    axum::serve(listener, router(console))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// The console token: from the variable `console.token_env` names (true), or made now (false).
fn token(cfg: &ConsoleSettings) -> anyhow::Result<(secrecy::SecretString, bool)> {
    let var = cfg.token_env.trim();
    if var.is_empty() {
        return Ok((auth::generated_token(), false));
    }
    let value = std::env::var(var)
        .with_context(|| format!("console.token_env names {var}, which is not set"))?;
    anyhow::ensure!(
        value.trim().len() >= 16,
        "the console token in {var} must be at least 16 characters"
    );
    Ok((secrecy::SecretString::from(value.trim().to_string()), true))
}

impl Console {
    /// Connect to the broker and start sampling.
    pub(crate) async fn start(
        settings: Settings,
        cfg: &ConsoleSettings,
        token: secrecy::SecretString,
        store: Result<copydesk_store::Store, String>,
        ingest: copydesk_ingest::IngestConfig,
        publish: copydesk_publish::PublishConfig,
    ) -> anyhow::Result<App> {
        let conn = Arc::new(broker::connect(&settings.amqp, "copydesk-console").await?);
        let publisher = Publisher::new(&conn, settings.amqp.max_message_bytes).await?;
        let names = Names::new(settings.amqp.namespace.clone());
        let overview =
            overview::Sampler::start(conn.clone(), &settings, &names, cfg.refresh_secs.max(1))
                .await;
        Ok(Arc::new(Console {
            auth: auth::Auth::new(token),
            names,
            conn,
            publisher,
            store,
            ingest,
            publish,
            overview,
        }))
    }
}

pub(crate) fn router(app: App) -> Router {
    Router::new()
        .route("/", get(overview_page))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/failures", get(failures_page))
        .route("/message", get(message_page))
        .route("/confirm", get(confirm_page))
        .route("/actions", post(action_form))
        .route("/feeds", get(feeds_page))
        .route("/published", get(published_page))
        .route("/events", get(events_page))
        .route("/files/{name}", get(file))
        .route(
            "/static/console.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    pages::SCRIPT,
                )
            }),
        )
        .route(
            "/static/console.css",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
                    pages::STYLE,
                )
            }),
        )
        .route("/api/session", get(api_session))
        .route("/api/overview", get(api_overview))
        .route("/api/failures", get(api_failures))
        .route("/api/message", get(api_message))
        .route("/api/feeds", get(api_feeds))
        .route("/api/published", get(api_published))
        .route("/api/events", get(api_events))
        .route("/api/actions", post(api_action))
        .layer(axum::middleware::map_response(secure_headers))
        .with_state(app)
}

async fn secure_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert("content-security-policy", HeaderValue::from_static("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A request's outcome when it may not go on.
pub(crate) enum Denied {
    /// Not logged in: pages go to the login form, the API answers 401.
    Login { api: bool },
    /// Logged in but the write lacks its CSRF token.
    Forbidden(&'static str),
    /// Something failed; the message is for the operator.
    Error(String),
    /// No such thing.
    NotFound(String),
}

impl IntoResponse for Denied {
    fn into_response(self) -> Response {
        match self {
            Denied::Login { api: false } => Redirect::to("/login").into_response(),
            Denied::Login { api: true } => (StatusCode::UNAUTHORIZED, Json(serde_json::json!({ "error": "log in first: a session cookie or Authorization: Bearer <token>" }))).into_response(),
            Denied::Forbidden(why) => (StatusCode::FORBIDDEN, Json(serde_json::json!({ "error": why }))).into_response(),
            Denied::Error(e) => (StatusCode::BAD_GATEWAY, pages::error_page(&e)).into_response(),
            Denied::NotFound(e) => (StatusCode::NOT_FOUND, pages::error_page(&e)).into_response(),
        }
    }
}

fn text_header<'a>(headers: &'a HeaderMap, name: header::HeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn reader(app: &Console, headers: &HeaderMap, api: bool) -> Result<(), Denied> {
    if app.auth.may_read(
        text_header(headers, header::COOKIE),
        text_header(headers, header::AUTHORIZATION),
    ) {
        Ok(())
    } else {
        Err(Denied::Login { api })
    }
}

fn writer(app: &Console, headers: &HeaderMap, csrf: Option<&str>) -> Result<(), Denied> {
    let csrf = csrf.or_else(|| headers.get("x-csrf-token").and_then(|v| v.to_str().ok()));
    match app.auth.may_write(
        text_header(headers, header::COOKIE),
        text_header(headers, header::AUTHORIZATION),
        csrf,
    ) {
        Ok(()) => Ok(()),
        Err(why)
            if app.auth.may_read(
                text_header(headers, header::COOKIE),
                text_header(headers, header::AUTHORIZATION),
            ) =>
        {
            Err(Denied::Forbidden(why))
        }
        Err(_) => Err(Denied::Login { api: true }),
    }
}

fn form(body: &str) -> HashMap<String, String> {
    url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect()
}

// ---- login ----

async fn login_page() -> impl IntoResponse {
    pages::login_page(None)
}

async fn login(State(app): State<App>, body: String) -> Response {
    let f = form(&body);
    if f.get("token").is_some_and(|t| app.auth.token_ok(t)) {
        tracing::info!(action = "login", "console session started");
        let cookie = format!(
            "{}={}; HttpOnly; SameSite=Strict; Path=/",
            auth::COOKIE,
            app.auth.session()
        );
        ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
    } else {
        tracing::warn!(action = "login", "console login refused: wrong token");
        (
            StatusCode::UNAUTHORIZED,
            pages::login_page(Some("That is not the console token.")),
        )
            .into_response()
    }
}

async fn logout(
    State(app): State<App>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, Denied> {
    writer(&app, &headers, form(&body).get("csrf").map(String::as_str))?;
    let cookie = format!(
        "{}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0",
        auth::COOKIE
    );
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response())
}

// ---- overview ----

/// The CSRF token for API clients that authenticate with the bearer token.
async fn api_session(
    State(app): State<App>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, Denied> {
    reader(&app, &headers, true)?;
    Ok(Json(
        serde_json::json!({ "namespace": app.names.namespace, "csrf": app.auth.csrf() }),
    ))
}

async fn overview_page(State(app): State<App>, headers: HeaderMap) -> Result<Response, Denied> {
    reader(&app, &headers, false)?;
    Ok(pages::overview(&app.page(), &app.overview.latest().await).into_response())
}

async fn api_overview(
    State(app): State<App>,
    headers: HeaderMap,
) -> Result<Json<overview::Overview>, Denied> {
    reader(&app, &headers, true)?;
    Ok(Json(app.overview.latest().await))
}

// ---- failures ----

#[derive(Deserialize, Default)]
struct FailureQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    stage: String,
}

/// The failures view: groups of the dead letters that match the search.
#[derive(Serialize)]
pub(crate) struct Failures {
    pub(crate) query: String,
    pub(crate) total: usize,
    pub(crate) groups: Vec<failures::Group>,
    pub(crate) letters: Vec<LetterRow>,
}

/// One dead letter in a listing.
#[derive(Serialize)]
pub(crate) struct LetterRow {
    #[serde(flatten)]
    pub(crate) summary: ops::DeadLetter,
    pub(crate) headline: Option<String>,
    pub(crate) group: String,
}

impl Console {
    async fn letters(&self, stage: Option<Stage>) -> Result<Vec<DeadLetterDetail>, Denied> {
        ops::dlq_details(&self.conn, &self.names, stage)
            .await
            .map_err(|e| Denied::Error(format!("read the dead-letter queues: {e}")))
    }

    async fn failures(&self, q: &FailureQuery) -> Result<Failures, Denied> {
        let stage = Stage::parse(q.stage.trim()).ok();
        let all = self.letters(stage).await?;
        let total = all.len();
        let hits: Vec<DeadLetterDetail> = all
            .into_iter()
            .filter(|d| failures::matches(d, &q.q))
            .collect();
        let groups = failures::group(&hits);
        let letters = hits
            .iter()
            .map(|d| LetterRow {
                group: failures::key_of(d),
                summary: d.summary.clone(),
                headline: d.headline.clone(),
            })
            .collect();
        Ok(Failures {
            query: q.q.clone(),
            total,
            groups,
            letters,
        })
    }

    fn page(&self) -> pages::PageCtx {
        pages::PageCtx {
            namespace: self.names.namespace.clone(),
            csrf: self.auth.csrf(),
        }
    }
}

async fn failures_page(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<FailureQuery>,
) -> Result<Response, Denied> {
    reader(&app, &headers, false)?;
    let f = app.failures(&q).await?;
    Ok(pages::failures(&app.page(), &f, &q.stage).into_response())
}

async fn api_failures(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<FailureQuery>,
) -> Result<Json<Failures>, Denied> {
    reader(&app, &headers, true)?;
    Ok(Json(app.failures(&q).await?))
}

#[derive(Deserialize)]
struct IdQuery {
    id: String,
}

/// One dead letter with its story's path.
#[derive(Serialize)]
pub(crate) struct Message {
    #[serde(flatten)]
    pub(crate) detail: DeadLetterDetail,
    pub(crate) group: String,
    pub(crate) trace_id: Option<String>,
    /// (stage, time, milliseconds since the previous stage).
    pub(crate) path: Vec<PathStep>,
}

/// One stage of a story's path.
#[derive(Serialize)]
pub(crate) struct PathStep {
    pub(crate) stage: String,
    pub(crate) at: String,
    pub(crate) after_ms: Option<i64>,
}

async fn message(app: &Console, id: &str) -> Result<Message, Denied> {
    let detail = ops::dlq_show(&app.conn, &app.names, id)
        .await
        .map_err(|e| Denied::Error(format!("read the dead-letter queues: {e}")))?
        .ok_or_else(|| {
            Denied::NotFound(format!("no dead letter with id {id} (replayed or purged?)"))
        })?;
    let header = |k: &str| {
        detail
            .headers
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let trace_id = header(copydesk_runtime::trace::H_TRACE_ID).or_else(|| {
        header(copydesk_runtime::trace::TRACEPARENT)
            .and_then(|t| copydesk_runtime::trace::TraceContext::parse(&t))
            .map(|t| t.trace_id)
    });
    let steps = copydesk_runtime::trace::parse_path(
        &header(copydesk_runtime::trace::H_PATH).unwrap_or_default(),
    );
    let path = steps
        .iter()
        .enumerate()
        .map(|(i, (stage, at))| PathStep {
            stage: stage.clone(),
            at: at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            after_ms: i
                .checked_sub(1)
                .map(|p| (*at - steps[p].1).num_milliseconds()),
        })
        .collect();
    Ok(Message {
        group: failures::key_of(&detail),
        trace_id,
        path,
        detail,
    })
}

async fn message_page(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<IdQuery>,
) -> Result<Response, Denied> {
    reader(&app, &headers, false)?;
    let m = message(&app, &q.id).await?;
    Ok(pages::message(&app.page(), &m).into_response())
}

async fn api_message(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<IdQuery>,
) -> Result<Json<Message>, Denied> {
    reader(&app, &headers, true)?;
    Ok(Json(message(&app, &q.id).await?))
}

// ---- actions ----

/// What an action touches.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct ActionRequest {
    /// `replay` or `purge`.
    pub(crate) op: String,
    /// `message` (key: its id), `group` (key: the group key) or `stage` (key: the stage).
    pub(crate) scope: String,
    pub(crate) key: String,
    /// The count the operator confirmed (from the preview), if any.
    #[serde(default)]
    pub(crate) expected: Option<usize>,
}

/// What an action did (or, for a preview, would do).
#[derive(Debug, Serialize)]
pub(crate) struct ActionResult {
    pub(crate) op: String,
    pub(crate) scope: String,
    pub(crate) key: String,
    pub(crate) count: usize,
    pub(crate) expected: Option<usize>,
    pub(crate) ids: Vec<String>,
    pub(crate) headlines: Vec<String>,
}

impl Console {
    /// The stage and dead letters an action would touch now.
    async fn targets(
        &self,
        req: &ActionRequest,
    ) -> Result<(Option<Stage>, Selection, Vec<DeadLetterDetail>), Denied> {
        if req.op != "replay" && req.op != "purge" {
            return Err(Denied::NotFound(format!(
                "unknown action '{}': replay or purge",
                req.op
            )));
        }
        match req.scope.as_str() {
            "stage" => {
                let stage = Stage::parse(&req.key)
                    .map_err(|_| Denied::NotFound(format!("no stage '{}'", req.key)))?;
                let letters = self.letters(Some(stage)).await?;
                Ok((Some(stage), Selection::All, letters))
            }
            "group" | "message" => {
                let letters: Vec<DeadLetterDetail> = self
                    .letters(None)
                    .await?
                    .into_iter()
                    .filter(|d| {
                        if req.scope == "group" {
                            failures::key_of(d) == req.key
                        } else {
                            d.summary.id == req.key
                        }
                    })
                    .collect();
                let stage = letters.first().map(|d| d.summary.stage);
                let letters: Vec<DeadLetterDetail> = letters
                    .into_iter()
                    .filter(|d| Some(d.summary.stage) == stage)
                    .collect();
                let ids = letters.iter().map(|d| d.summary.id.clone()).collect();
                Ok((stage, Selection::Ids(ids), letters))
            }
            other => Err(Denied::NotFound(format!(
                "unknown scope '{other}': message, group or stage"
            ))),
        }
    }

    async fn preview(&self, req: &ActionRequest) -> Result<ActionResult, Denied> {
        let (_, _, letters) = self.targets(req).await?;
        Ok(self.result(
            req,
            &letters
                .iter()
                .map(|d| (d.summary.id.clone(), d.headline.clone().unwrap_or_default()))
                .collect::<Vec<_>>(),
        ))
    }

    fn result(&self, req: &ActionRequest, done: &[(String, String)]) -> ActionResult {
        ActionResult {
            op: req.op.clone(),
            scope: req.scope.clone(),
            key: req.key.clone(),
            count: done.len(),
            expected: req.expected,
            ids: done.iter().map(|(id, _)| id.clone()).collect(),
            headlines: done
                .iter()
                .map(|(_, h)| h.clone())
                .filter(|h| !h.is_empty())
                .collect(),
        }
    }

    /// Carry out an action with the CLI's own operations, and log what and how many.
    async fn act(&self, req: &ActionRequest) -> Result<ActionResult, Denied> {
        let (stage, selection, letters) = self.targets(req).await?;
        let headline = |id: &str| {
            letters
                .iter()
                .find(|d| d.summary.id == id)
                .and_then(|d| d.headline.clone())
                .unwrap_or_default()
        };
        let empty = matches!(&selection, Selection::Ids(ids) if ids.is_empty());
        let done = if empty {
            Ok(Vec::new())
        } else if req.op == "replay" {
            ops::dlq_replay(
                &self.conn,
                &self.publisher,
                &self.names,
                stage,
                &selection,
                false,
            )
            .await
        } else {
            ops::dlq_remove(&self.conn, &self.names, stage, &selection).await
        }
        .map_err(|e| {
            Denied::Error(format!(
                "{} failed part-way (what was done is logged): {e}",
                req.op
            ))
        })?;
        let done: Vec<(String, String)> = done
            .iter()
            .map(|d| (d.id.clone(), headline(&d.id)))
            .collect();
        tracing::info!(
            action = %req.op,
            scope = %req.scope,
            key = %req.key,
            count = done.len(),
            confirmed_count = req.expected.map(|e| e as i64).unwrap_or(-1),
            stage = stage.map(|s| s.as_str()).unwrap_or("-"),
            ids = %done.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>().join(","),
            "console action"
        );
        Ok(self.result(req, &done))
    }
}

async fn confirm_page(
    State(app): State<App>,
    headers: HeaderMap,
    Query(req): Query<ActionRequest>,
) -> Result<Response, Denied> {
    reader(&app, &headers, false)?;
    let preview = app.preview(&req).await?;
    Ok(pages::confirm(&app.page(), &preview).into_response())
}

async fn action_form(
    State(app): State<App>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, Denied> {
    let f = form(&body);
    writer(&app, &headers, f.get("csrf").map(String::as_str))?;
    if f.get("confirm").map(String::as_str) != Some("yes") {
        return Err(Denied::Forbidden("not confirmed"));
    }
    let req = ActionRequest {
        op: f.get("op").cloned().unwrap_or_default(),
        scope: f.get("scope").cloned().unwrap_or_default(),
        key: f.get("key").cloned().unwrap_or_default(),
        expected: f.get("expected").and_then(|e| e.parse().ok()),
    };
    let done = app.act(&req).await?;
    Ok(pages::done(&app.page(), &done).into_response())
}

async fn api_action(
    State(app): State<App>,
    headers: HeaderMap,
    Json(req): Json<ActionRequest>,
) -> Result<Json<ActionResult>, Denied> {
    writer(&app, &headers, None)?;
    Ok(Json(app.act(&req).await?))
}

// ---- feeds, published, events (from the state store) ----

impl Console {
    fn store(&self) -> Result<&copydesk_store::Store, Denied> {
        self.store.as_ref().map_err(|e| Denied::Error(e.clone()))
    }

    async fn feeds(&self) -> Result<Vec<copydesk_ingest::FeedReport>, Denied> {
        Ok(copydesk_ingest::feed_reports(&self.ingest, self.store()?, chrono::Utc::now()).await)
    }
}

async fn feeds_page(State(app): State<App>, headers: HeaderMap) -> Result<Response, Denied> {
    reader(&app, &headers, false)?;
    let feeds = app.feeds().await?;
    Ok(pages::feeds(&app.page(), &feeds).into_response())
}

async fn api_feeds(
    State(app): State<App>,
    headers: HeaderMap,
) -> Result<Json<Vec<copydesk_ingest::FeedReport>>, Denied> {
    reader(&app, &headers, true)?;
    Ok(Json(app.feeds().await?))
}

/// One story in the published view.
#[derive(Serialize)]
pub(crate) struct PublishedStory {
    pub(crate) story_id: String,
    pub(crate) headline: Option<String>,
    pub(crate) slug: Option<String>,
    pub(crate) published_version: u64,
    pub(crate) highest_version: u64,
    pub(crate) killed_version: u64,
    pub(crate) withheld_version: u64,
    pub(crate) updated_at: String,
    /// Files in the out dir, newest version first.
    pub(crate) files: Vec<String>,
    /// The WordPress post, when that sink delivered it.
    pub(crate) wordpress: Option<String>,
}

impl Console {
    async fn published(&self) -> Result<Vec<PublishedStory>, Denied> {
        let store = self.store()?;
        let rows = store
            .ledger_recent(100)
            .await
            .map_err(|e| Denied::Error(format!("read the ledger: {e}")))?;
        let names: Vec<String> = std::fs::read_dir(&self.publish.out_dir)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        let mut out = Vec::new();
        for (row, updated) in rows {
            let marker = format!("--{}.v", copydesk_publish::files::story_key(&row.story_id));
            let mut files: Vec<String> = names
                .iter()
                .filter(|n| n.contains(&marker) && !n.starts_with('.'))
                .cloned()
                .collect();
            files.sort_by(|a, b| b.cmp(a));
            let headline = files
                .iter()
                .find(|f| f.ends_with(".json"))
                .and_then(|f| std::fs::read(self.publish.out_dir.join(f)).ok())
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                .and_then(|v| {
                    v.get("headline")
                        .and_then(|h| h.as_str())
                        .map(str::to_string)
                });
            let wordpress = if self.publish.wordpress.url.trim().is_empty() {
                None
            } else {
                store
                    .delivery(&row.story_id, 0, "wordpress")
                    .await
                    .ok()
                    .flatten()
                    .and_then(|d| d.external_id)
                    .map(|id| {
                        format!(
                            "{}/?p={}",
                            self.publish.wordpress.url.trim_end_matches('/'),
                            url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()
                        )
                    })
            };
            out.push(PublishedStory {
                story_id: row.story_id,
                headline,
                slug: row.slug,
                published_version: row.published_version,
                highest_version: row.highest_version,
                killed_version: row.killed_version,
                withheld_version: row.withheld_version,
                updated_at: chrono::DateTime::from_timestamp_millis(updated)
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                    .unwrap_or_default(),
                files,
                wordpress,
            });
        }
        Ok(out)
    }
}

async fn published_page(State(app): State<App>, headers: HeaderMap) -> Result<Response, Denied> {
    reader(&app, &headers, false)?;
    let rows = app.published().await?;
    Ok(pages::published(&app.page(), &rows).into_response())
}

async fn api_published(
    State(app): State<App>,
    headers: HeaderMap,
) -> Result<Json<Vec<PublishedStory>>, Denied> {
    reader(&app, &headers, true)?;
    Ok(Json(app.published().await?))
}

/// A published file, by its exact name in the out dir (nothing else is served).
async fn file(
    State(app): State<App>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Result<Response, Denied> {
    reader(&app, &headers, false)?;
    let listed = std::fs::read_dir(&app.publish.out_dir)
        .map(|rd| {
            rd.flatten()
                .any(|e| e.file_name().to_string_lossy() == name)
        })
        .unwrap_or(false);
    if !listed || name.starts_with('.') || name.contains('/') || name.contains('\\') {
        return Err(Denied::NotFound(format!("no published file {name}")));
    }
    let bytes = std::fs::read(app.publish.out_dir.join(&name))
        .map_err(|e| Denied::NotFound(format!("{name}: {e}")))?;
    // Served as plain text whatever it holds: wire text must never run as HTML here.
    let kind = if name.ends_with(".json") {
        "application/json; charset=utf-8"
    } else {
        "text/plain; charset=utf-8"
    };
    Ok(([(header::CONTENT_TYPE, kind)], bytes).into_response())
}

/// One event with its member stories.
#[derive(Serialize)]
pub(crate) struct EventView {
    pub(crate) id: String,
    pub(crate) version: u64,
    pub(crate) members: Vec<EventMemberView>,
    pub(crate) sources: Vec<String>,
}

/// One member story of an event.
#[derive(Serialize)]
pub(crate) struct EventMemberView {
    pub(crate) story_id: String,
    pub(crate) version: u64,
    pub(crate) title: String,
    pub(crate) source: Option<String>,
    pub(crate) published: Option<String>,
}

impl Console {
    async fn events(&self) -> Result<Vec<EventView>, Denied> {
        let rows = self
            .store()?
            .events_recent(100)
            .await
            .map_err(|e| Denied::Error(format!("read events: {e}")))?;
        Ok(rows
            .into_iter()
            .map(|(id, state)| {
                let v: serde_json::Value = serde_json::from_str(&state).unwrap_or_default();
                let members: Vec<EventMemberView> = v["members"]
                    .as_array()
                    .map(|ms| {
                        ms.iter()
                            .map(|m| EventMemberView {
                                story_id: m["story_id"].as_str().unwrap_or_default().to_string(),
                                version: m["version"].as_u64().unwrap_or(0),
                                title: m["title"].as_str().unwrap_or_default().to_string(),
                                source: m["source"].as_str().map(str::to_string),
                                published: m["published"].as_str().map(str::to_string),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let mut sources: Vec<String> =
                    members.iter().filter_map(|m| m.source.clone()).collect();
                sources.sort();
                sources.dedup();
                EventView {
                    id,
                    version: v["version"].as_u64().unwrap_or(0),
                    members,
                    sources,
                }
            })
            .collect())
    }
}

async fn events_page(State(app): State<App>, headers: HeaderMap) -> Result<Response, Denied> {
    reader(&app, &headers, false)?;
    let events = app.events().await?;
    Ok(pages::events(&app.page(), &events).into_response())
}

async fn api_events(
    State(app): State<App>,
    headers: HeaderMap,
) -> Result<Json<Vec<EventView>>, Denied> {
    reader(&app, &headers, true)?;
    Ok(Json(app.events().await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_console_section_is_the_defaults_and_unknown_keys_are_refused() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/default.toml");
        let layers = Layers::load(Some(&path)).expect("config/default.toml loads");
        let cfg: ConsoleSettings = layers.section("console").expect("[console] parses");
        let d = ConsoleSettings::default();
        assert_eq!(
            (cfg.bind, cfg.port, cfg.token_env, cfg.refresh_secs),
            (d.bind, d.port, d.token_env, d.refresh_secs)
        );
        let bad: Result<ConsoleSettings, _> =
            serde_json::from_value(serde_json::json!({ "bind": "127.0.0.1", "tokn_env": "X" }));
        assert!(bad.is_err_and(|e| e.to_string().contains("tokn_env")));
    }

    #[test]
    fn without_a_token_variable_a_token_is_made_and_a_named_but_unset_one_is_an_error() {
        let made = token(&ConsoleSettings::default()).expect("made");
        assert!(!made.1 && secrecy::ExposeSecret::expose_secret(&made.0).len() >= 16);
        let cfg = ConsoleSettings {
            token_env: "COPYDESK_TEST_SURELY_UNSET_TOKEN".into(),
            ..Default::default()
        };
        assert!(token(&cfg)
            .unwrap_err()
            .to_string()
            .contains("COPYDESK_TEST_SURELY_UNSET_TOKEN"));
    }
}
