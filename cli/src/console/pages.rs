//! The console's HTML: one layout, one page function per view. Every value from the broker or
//! the store is wire text or derived from it, so all of it goes through [`e`] (HTML escaping);
//! the only script is [`SCRIPT`], served from the console itself (the CSP allows nothing else).

use super::failures::Group;
use super::overview::Overview;
use super::{ActionResult, EventView, Failures, Message, PublishedStory};
use axum::response::Html;

/// What every page needs.
pub struct PageCtx {
    pub namespace: String,
    pub csrf: String,
}

/// HTML-escape text for element content and quoted attribute values.
pub fn e(text: &str) -> String {
    html_escape::encode_quoted_attribute(text).into_owned()
}

fn q(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// An RFC 3339 time as `2026-01-02 03:04:05Z` (UTC, whole seconds); other text as it is.
fn when(t: Option<&str>) -> String {
    match t {
        None => "–".into(),
        Some(t) => chrono::DateTime::parse_from_rfc3339(t)
            .map(|d| {
                d.with_timezone(&chrono::Utc)
                    .format("%Y-%m-%d %H:%M:%SZ")
                    .to_string()
            })
            .unwrap_or_else(|_| t.to_string()),
    }
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "–".into())
}

fn layout(ctx: &PageCtx, active: &str, title: &str, body: &str) -> Html<String> {
    let nav: String = [
        ("/", "Overview"),
        ("/failures", "Failures"),
        ("/feeds", "Feeds"),
        ("/published", "Published"),
        ("/events", "Events"),
    ]
    .iter()
    .map(|(href, name)| {
        format!(
            r#"<a href="{href}"{}>{name}</a>"#,
            if *name == active {
                r#" class="active""#
            } else {
                ""
            }
        )
    })
    .collect();
    Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Copydesk console</title><link rel="stylesheet" href="/static/console.css"><script src="/static/console.js" defer></script></head>
<body><header><span class="brand">Copydesk</span><span class="ns">namespace <b>{ns}</b></span><nav>{nav}</nav>
<form method="post" action="/logout" class="logout"><input type="hidden" name="csrf" value="{csrf}"><button>Log out</button></form></header>
<main><h1>{title}</h1>{body}</main></body></html>"#,
        title = e(title),
        ns = e(&ctx.namespace),
        csrf = e(&ctx.csrf),
    ))
}

/// The login form.
pub fn login_page(error: Option<&str>) -> Html<String> {
    Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Log in · Copydesk console</title><link rel="stylesheet" href="/static/console.css"></head>
<body class="login"><main><h1>Copydesk console</h1>{}<form method="post" action="/login">
<label>Console token <input type="password" name="token" id="token" autofocus autocomplete="current-password"></label>
<button type="submit" id="login">Log in</button></form>
<p class="hint">The token is in the variable <code>console.token_env</code> names, or was printed when the console started.</p></main></body></html>"#,
        error
            .map(|m| format!(r#"<p class="error">{}</p>"#, e(m)))
            .unwrap_or_default()
    ))
}

/// A failure of the console itself (broker or store unreachable, nothing found).
pub fn error_page(message: &str) -> Html<String> {
    Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error · Copydesk console</title><link rel="stylesheet" href="/static/console.css"></head>
<body><main><h1>Something is in the way</h1><p class="error">{}</p><p><a href="/">Overview</a> · <a href="/failures">Failures</a></p></main></body></html>"#,
        e(message)
    ))
}

fn rate(r: Option<f64>) -> String {
    r.map(|r| format!("{r:.1}/s")).unwrap_or_else(|| "–".into())
}

/// Overview: the live table (refreshed by the script from `/api/overview`).
pub fn overview(ctx: &PageCtx, o: &Overview) -> Html<String> {
    let rows: String = o
        .stages
        .iter()
        .map(|s| {
            let dead = s.dead_lettered.unwrap_or(0);
            format!(
                r#"<tr data-stage="{stage}"><th><a href="/failures?stage={stage}">{stage}</a></th><td data-k="ready">{}</td><td data-k="unacked">{}</td><td data-k="consumers">{}</td><td data-k="rate_in">{}</td><td data-k="rate_out">{}</td><td data-k="retrying">{}</td><td data-k="dead_lettered" class="{}">{}</td></tr>"#,
                opt(s.ready),
                opt(s.unacked),
                opt(s.consumers),
                rate(s.rate_in),
                rate(s.rate_out),
                s.retrying,
                if dead > 0 { "bad" } else { "" },
                opt(s.dead_lettered),
                stage = e(&s.stage),
            )
        })
        .collect();
    let body = format!(
        r#"<p class="meta">Live, sampled <span id="sampled">{}</span>. Unacked: {}. Rates: {}.</p>{}
<table id="overview" class="grid numeric"><thead><tr><th>stage</th><th>ready</th><th>unacked</th><th>consumers</th><th>in</th><th>out</th><th>retrying</th><th>dead-lettered</th></tr></thead><tbody>{rows}</tbody></table>
<p class="hint">Dead letters by cause are on <a href="/failures">Failures</a>. The table refreshes itself.</p>"#,
        e(o.sampled_at.as_deref().unwrap_or("not yet")),
        e(&o.unacked_from),
        e(&o.rates_from),
        o.error
            .as_deref()
            .map(|m| format!(r#"<p class="error">{}</p>"#, e(m)))
            .unwrap_or_default(),
    );
    layout(ctx, "Overview", "Overview", &body)
}

fn action_links(op_scope_key: &[(&str, &str, &str, &str)]) -> String {
    op_scope_key
        .iter()
        .map(|(op, scope, key, label)| format!(r#"<a class="btn {op}" href="/confirm?op={op}&amp;scope={scope}&amp;key={}">{label}</a>"#, q(key)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn group_row(g: &Group) -> String {
    format!(
        r#"<tr class="group" data-group="{key}"><td>{stage}</td><td><span class="class">{class}</span></td><td class="reason" title="{example}">{reason}</td><td class="num count">{count}</td><td class="t">{first}</td><td class="t">{last}</td><td class="actions">{links}</td></tr>"#,
        key = e(&g.key),
        stage = e(&g.stage),
        class = e(&g.error_class),
        example = e(&g.example),
        reason = e(&g.reason),
        count = g.count,
        first = e(&when(g.first_seen.as_deref())),
        last = e(&when(g.last_seen.as_deref())),
        links = action_links(&[
            ("replay", "group", &g.key, "Replay group"),
            ("purge", "group", &g.key, "Purge group")
        ]),
    )
}

/// Failures: groups, a search box, and the matching dead letters.
pub fn failures(ctx: &PageCtx, f: &Failures, stage: &str) -> Html<String> {
    let groups: String = f.groups.iter().map(group_row).collect();
    let letters: String = f
        .letters
        .iter()
        .map(|l| {
            let s = &l.summary;
            format!(
                r#"<tr><td><a href="/message?id={qid}">{headline}</a><div class="sub">{story}</div></td><td>{stage}</td><td><span class="class">{class}</span></td><td class="reason">{error}</td><td class="num">{attempts}</td><td class="t">{at}</td></tr>"#,
                qid = q(&s.id),
                headline = e(l.headline.as_deref().unwrap_or("(no headline)")),
                story = e(s.story_id.as_deref().unwrap_or(&s.id)),
                stage = e(s.stage.as_str()),
                class = e(&s.error_class),
                error = e(&s.error),
                attempts = opt(s.attempts),
                at = e(&when(s.failed_at.as_deref())),
            )
        })
        .collect();
    let stages: String = ["", "ingest", "extract", "summarize", "publish"]
        .iter()
        .map(|s| {
            format!(
                r#"<option value="{s}"{}>{}</option>"#,
                if *s == stage { " selected" } else { "" },
                if s.is_empty() { "all stages" } else { s }
            )
        })
        .collect();
    let stage_actions = if stage.is_empty() {
        String::new()
    } else {
        format!(
            r#"<p>All of stage {}: {}</p>"#,
            e(stage),
            action_links(&[
                ("replay", "stage", stage, "Replay stage"),
                ("purge", "stage", stage, "Purge stage")
            ])
        )
    };
    let body = format!(
        r#"<form method="get" action="/failures" class="search"><input type="search" name="q" id="q" value="{query}" placeholder="story id, guid, headline or error text"><select name="stage">{stages}</select><button type="submit">Search</button></form>
<p class="meta">{shown} of {total} dead letter(s){filtered}.</p>{stage_actions}
<h2>By cause</h2>{groups_table}
<h2>Messages</h2>{letters_table}"#,
        query = e(&f.query),
        shown = f.letters.len(),
        total = f.total,
        filtered = if f.query.is_empty() {
            String::new()
        } else {
            format!(" match “{}”", e(&f.query))
        },
        groups_table = if f.groups.is_empty() {
            r#"<p class="ok" id="no-failures">No dead letters. Nothing to replay.</p>"#.to_string()
        } else {
            format!(
                r#"<table id="groups" class="grid"><thead><tr><th>stage</th><th>class</th><th>reason</th><th>count</th><th>first seen</th><th>last seen</th><th></th></tr></thead><tbody>{groups}</tbody></table>"#
            )
        },
        letters_table = if f.letters.is_empty() {
            String::new()
        } else {
            format!(
                r#"<table id="letters" class="grid"><thead><tr><th>story</th><th>stage</th><th>class</th><th>reason</th><th>attempts</th><th>failed at</th></tr></thead><tbody>{letters}</tbody></table>"#
            )
        },
    );
    layout(ctx, "Failures", "Failures", &body)
}

/// One dead letter: headline, reason, path, actions, headers, x-death, body.
pub fn message(ctx: &PageCtx, m: &Message) -> Html<String> {
    let d = &m.detail;
    let s = &d.summary;
    let path: String = if m.path.is_empty() {
        r#"<p class="hint">No path recorded (sent before tracing, or by hand).</p>"#.into()
    } else {
        let steps: String = m
            .path
            .iter()
            .map(|p| {
                format!(
                    r#"<li><b>{}</b> <span class="sub">{}{}</span></li>"#,
                    e(&p.stage),
                    e(&p.at),
                    p.after_ms
                        .map(|ms| format!(" (+{ms} ms)"))
                        .unwrap_or_default()
                )
            })
            .collect();
        format!(
            r#"<ol class="path" id="path">{steps}<li class="failed"><b>failed in {}</b> <span class="sub">{}</span></li></ol>"#,
            e(s.stage.as_str()),
            e(&when(s.failed_at.as_deref()))
        )
    };
    let headers: String = d
        .headers
        .iter()
        .filter(|(k, _)| k != "x-death")
        .map(|(k, v)| format!("<tr><th>{}</th><td>{}</td></tr>", e(k), e(v)))
        .collect();
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let body = format!(
        r#"<p class="headline" id="headline">{headline}</p>
<dl class="facts"><dt>story</dt><dd>{story} v{version}</dd><dt>stage</dt><dd>{stage}</dd><dt>class</dt><dd>{class}</dd><dt>attempts</dt><dd>{attempts}</dd><dt>failed at</dt><dd>{at}</dd><dt>message id</dt><dd>{id}</dd><dt>trace id</dt><dd id="trace">{trace}</dd></dl>
<p class="error reason">{reason}</p>
<p>{actions} <a href="/failures">back to Failures</a></p>
<h2>Path</h2>{path}
<h2>Headers</h2><table class="kv">{headers}</table>
<h2>x-death</h2><pre>{xdeath}</pre>
<h2>Body</h2><pre class="body">{json}</pre>"#,
        headline = e(d.headline.as_deref().unwrap_or("(no headline)")),
        story = e(s.story_id.as_deref().unwrap_or("?")),
        version = e(s.story_version.as_deref().unwrap_or("?")),
        stage = e(s.stage.as_str()),
        class = e(&s.error_class),
        attempts = opt(s.attempts),
        at = e(&when(s.failed_at.as_deref())),
        id = e(&s.id),
        trace = e(m.trace_id.as_deref().unwrap_or("–")),
        reason = e(&s.error),
        actions = action_links(&[
            ("replay", "message", &s.id, "Replay"),
            ("purge", "message", &s.id, "Purge")
        ]),
        xdeath = e(&if d.x_death.is_null() {
            "(none: dead-lettered by the worker, not the broker)".to_string()
        } else {
            pretty(&d.x_death)
        }),
        json = e(&pretty(&d.body)),
    );
    layout(ctx, "Failures", &format!("Dead letter {}", s.id), &body)
}

fn verb(op: &str) -> (&'static str, &'static str) {
    if op == "replay" {
        ("Replay", "replayed")
    } else {
        ("Purge", "purged")
    }
}

/// The preview before an action: how many, which, and the confirm button.
pub fn confirm(ctx: &PageCtx, p: &ActionResult) -> Html<String> {
    let (verb, _) = verb(&p.op);
    let what = match p.scope.as_str() {
        "group" => "of this group",
        "stage" => "of this stage",
        _ => "",
    };
    let list: String = p
        .headlines
        .iter()
        .take(20)
        .map(|h| format!("<li>{}</li>", e(h)))
        .collect();
    let warning = if p.op == "purge" {
        r#"<p class="error">Purging deletes these messages for good.</p>"#
    } else {
        r#"<p class="hint">Each goes back to the stage it failed in with its attempts reset and its message id kept, and leaves the dead-letter queue only after the broker confirmed the republish.</p>"#
    };
    let body = if p.count == 0 {
        r#"<p class="ok">Nothing to do: no dead letters match (already replayed or purged?).</p><p><a href="/failures">back to Failures</a></p>"#.to_string()
    } else {
        format!(
            r#"<p class="preview" id="preview">{verb} <b id="count">{count}</b> dead letter(s) {what}?</p><ul>{list}</ul>{warning}
<form method="post" action="/actions"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="op" value="{op}"><input type="hidden" name="scope" value="{scope}"><input type="hidden" name="key" value="{key}"><input type="hidden" name="expected" value="{count}"><input type="hidden" name="confirm" value="yes">
<button type="submit" id="confirm" class="btn {op}">{verb} {count}</button> <a href="/failures">Cancel</a></form>"#,
            count = p.count,
            csrf = e(&ctx.csrf),
            op = e(&p.op),
            scope = e(&p.scope),
            key = e(&p.key),
        )
    };
    layout(ctx, "Failures", &format!("{verb}?"), &body)
}

/// After an action.
pub fn done(ctx: &PageCtx, r: &ActionResult) -> Html<String> {
    let (_, past) = verb(&r.op);
    let changed = match r.expected {
        Some(n) if n != r.count => format!(
            r#" <span class="hint">(the preview showed {n}; the queue changed in between)</span>"#
        ),
        _ => String::new(),
    };
    let list: String = r
        .headlines
        .iter()
        .take(20)
        .map(|h| format!("<li>{}</li>", e(h)))
        .collect();
    let body = format!(
        r#"<p class="ok" id="done">{past} {} message(s).{changed}</p><ul>{list}</ul><p><a href="/failures" id="back">back to Failures</a></p>"#,
        r.count
    );
    layout(ctx, "Failures", &format!("{} done", verb(&r.op).0), &body)
}

/// Feeds: as `copydesk feeds` shows them.
pub fn feeds(ctx: &PageCtx, feeds: &[copydesk_ingest::FeedReport]) -> Html<String> {
    let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map_or("–".to_string(), |t| {
            t.format("%Y-%m-%d %H:%M:%SZ").to_string()
        })
    };
    let rows: String = feeds
        .iter()
        .map(|r| {
            let s = &r.state;
            format!(
                r#"<tr><th>{}</th><td class="health {cls}">{}</td><td>{}</td><td>{}</td><td class="num">{}</td><td>{}</td><td class="reason">{}</td><td class="sub">{}</td></tr>"#,
                e(&r.name),
                e(r.health),
                when(s.last_success),
                when(s.last_new_item),
                s.consecutive_failures,
                e(r.polled_by.as_deref().unwrap_or("–")),
                e(s.last_error.as_deref().unwrap_or("–")),
                e(&r.url),
                cls = r.health.replace(' ', "-"),
            )
        })
        .collect();
    let body = if feeds.is_empty() {
        r#"<p class="hint">No feeds configured: add <code>[[ingest.feeds]]</code> tables (name, url) to the config.</p>"#.to_string()
    } else {
        format!(
            r#"<table class="grid"><thead><tr><th>feed</th><th>health</th><th>last success</th><th>last new item</th><th>failures</th><th>polled by</th><th>last error</th><th>url</th></tr></thead><tbody>{rows}</tbody></table>"#
        )
    };
    layout(ctx, "Feeds", "Feeds", &body)
}

/// Published: the latest stories from the ledger with their files, WordPress posts and kills.
pub fn published(ctx: &PageCtx, rows: &[PublishedStory]) -> Html<String> {
    let rows: String = rows
        .iter()
        .map(|p| {
            let state = if p.killed_version > 0 {
                format!(r#"<span class="bad">killed (v{})</span>"#, p.killed_version)
            } else if p.withheld_version >= p.published_version && p.withheld_version > 0 {
                format!(r#"<span class="warn">withheld (v{})</span>"#, p.withheld_version)
            } else {
                format!(r#"<span class="ok">v{}</span>"#, p.published_version)
            };
            // `<slug>--<key>.v3.json` shows as `v3.json`; the full name is the link's title.
            let label = |f: &str| f.rsplit_once("--").and_then(|(_, rest)| rest.split_once('.')).map(|(_, v)| v.to_string()).unwrap_or_else(|| f.to_string());
            let files: String = p.files.iter().map(|f| format!(r#"<a href="/files/{}" title="{}">{}</a>"#, q(f), e(f), e(&label(f)))).collect::<Vec<_>>().join(" ");
            let wp = p.wordpress.as_deref().map(|u| format!(r#"<a href="{}" rel="noreferrer">post</a>"#, e(u))).unwrap_or_else(|| "–".into());
            format!(
                r#"<tr><td><b>{}</b><div class="sub">{}</div></td><td>{state}</td><td class="num">{}</td><td class="files">{}</td><td>{wp}</td><td class="t">{}</td></tr>"#,
                e(p.headline.as_deref().or(p.slug.as_deref()).unwrap_or("(no file)")),
                e(&p.story_id),
                p.highest_version,
                if files.is_empty() { "–".into() } else { files },
                e(&when(Some(&p.updated_at))),
            )
        })
        .collect();
    let body = if rows.is_empty() {
        r#"<p class="hint">Nothing published yet.</p>"#.to_string()
    } else {
        format!(
            r#"<table class="grid" id="published"><thead><tr><th>story</th><th>state</th><th>versions</th><th>files</th><th>WordPress</th><th>changed</th></tr></thead><tbody>{rows}</tbody></table>"#
        )
    };
    layout(ctx, "Published", "Published", &body)
}

/// Events: each with its member stories and sources.
pub fn events(ctx: &PageCtx, events: &[EventView]) -> Html<String> {
    let body: String = if events.is_empty() {
        r#"<p class="hint">No events yet: stories are grouped into events by summarize-worker when <code>[events]</code> is on.</p>"#.into()
    } else {
        events
            .iter()
            .map(|ev| {
                let members: String = ev
                    .members
                    .iter()
                    .map(|m| {
                        let facts: Vec<String> = [m.source.clone(), Some(format!("{} v{}", m.story_id, m.version)), m.published.as_deref().map(|t| when(Some(t)))]
                            .into_iter()
                            .flatten()
                            .collect();
                        format!(r#"<li>{} <span class="sub">{}</span></li>"#, e(&m.title), e(&facts.join(" · ")))
                    })
                    .collect();
                let stories = if ev.members.len() == 1 { "1 story".to_string() } else { format!("{} stories", ev.members.len()) };
                let sources = if ev.sources.is_empty() { "no source named".to_string() } else { format!("sources: {}", ev.sources.join(", ")) };
                format!(r#"<section class="event"><h2>{} <span class="sub">{} · {}</span></h2><ul>{members}</ul></section>"#, e(&ev.id), stories, e(&sources))
            })
            .collect()
    };
    layout(ctx, "Events", "Events", &body)
}

/// The one script: keeps the overview table live.
pub const SCRIPT: &str = r#"// Copydesk console: refresh the overview table from /api/overview (textContent only).
(function () {
  var table = document.getElementById('overview');
  if (!table) return;
  function fmt(k, v) {
    if (v === null || v === undefined) return '–';
    if (k === 'rate_in' || k === 'rate_out') return v.toFixed(1) + '/s';
    return String(v);
  }
  function tick() {
    fetch('/api/overview', { credentials: 'same-origin' }).then(function (r) { return r.ok ? r.json() : null; }).then(function (o) {
      if (!o) return;
      var sampled = document.getElementById('sampled');
      if (sampled) sampled.textContent = o.sampled_at || 'not yet';
      o.stages.forEach(function (s) {
        var row = table.querySelector('tr[data-stage="' + s.stage + '"]');
        if (!row) return;
        row.querySelectorAll('td[data-k]').forEach(function (td) {
          var k = td.getAttribute('data-k');
          td.textContent = fmt(k, s[k]);
          if (k === 'dead_lettered') td.className = s[k] > 0 ? 'bad' : '';
        });
      });
    }).catch(function () {});
  }
  setInterval(tick, 2000);
})();
"#;

/// The stylesheet.
pub const STYLE: &str = r#"
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;background:#f5f6f8}
header{display:flex;align-items:center;gap:1.5rem;padding:.6rem 1.5rem;background:#1d2430;color:#e8ebf0;flex-wrap:wrap}
header .brand{font-weight:700;font-size:1.1rem;letter-spacing:.02em}
header .ns{color:#9aa5b5;font-size:.9rem}
header nav{display:flex;gap:.2rem;flex:1}
header nav a{color:#c9d1dc;text-decoration:none;padding:.3rem .7rem;border-radius:4px}
header nav a.active,header nav a:hover{background:#334055;color:#fff}
header .logout button{background:none;border:1px solid #4a5870;color:#c9d1dc;border-radius:4px;padding:.2rem .6rem;cursor:pointer}
main{padding:1.2rem 1.5rem;max-width:1400px}
h1{font-size:1.4rem;margin:.2rem 0 1rem}
h2{font-size:1.05rem;margin:1.4rem 0 .5rem}
table.grid{border-collapse:collapse;width:100%;background:#fff;border:1px solid #dde1e7}
table.grid th,table.grid td{padding:.45rem .6rem;border-bottom:1px solid #eceef2;text-align:left;vertical-align:top}
table.grid thead th{background:#eef0f4;font-weight:600;font-size:.85rem;color:#4a5568;white-space:nowrap}
table.grid td.num,table.grid.numeric td,table.grid.numeric thead th:not(:first-child){text-align:right;font-variant-numeric:tabular-nums}
table.grid#overview{max-width:60rem}
td.t{white-space:nowrap;font-variant-numeric:tabular-nums}
td.reason{max-width:38rem;word-break:break-word}
td.actions{white-space:nowrap}
.sub{color:#6b7585;font-size:.85rem;word-break:break-all}
.meta,.hint{color:#5b6474}
.bad{color:#b42318;font-weight:600}
.warn{color:#a15c07}
.ok{color:#1a7f37}
.error{color:#b42318;background:#fdecea;border:1px solid #f5c2bd;padding:.5rem .7rem;border-radius:4px}
.class{white-space:nowrap;font-family:ui-monospace,Menlo,monospace;font-size:.85rem;background:#eef0f4;padding:.05rem .35rem;border-radius:3px}
.btn{display:inline-block;padding:.25rem .65rem;border-radius:4px;text-decoration:none;font-size:.85rem;border:1px solid;cursor:pointer;background:#fff}
.btn.replay{color:#175cd3;border-color:#84adff}
.btn.purge{color:#b42318;border-color:#fda29b}
button.btn{font-size:1rem;padding:.4rem 1rem}
button.btn.replay{background:#175cd3;color:#fff}
button.btn.purge{background:#b42318;color:#fff}
form.search{display:flex;gap:.5rem;margin-bottom:.6rem}
form.search input{flex:1;max-width:36rem;padding:.4rem .6rem;border:1px solid #c5cbd5;border-radius:4px}
form.search select,form.search button{padding:.4rem .6rem;border:1px solid #c5cbd5;border-radius:4px;background:#fff}
pre{background:#fff;border:1px solid #dde1e7;padding:.8rem;overflow:auto;max-height:32rem;font-size:.82rem;white-space:pre-wrap;word-break:break-word}
.headline{font-size:1.25rem;font-weight:600;margin:.2rem 0 .8rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0 0 .8rem}
dl.facts dt{color:#5b6474}
dl.facts dd{margin:0;word-break:break-all}
table.kv{border-collapse:collapse;background:#fff;border:1px solid #dde1e7;width:100%}
table.kv th,table.kv td{padding:.3rem .6rem;border-bottom:1px solid #eceef2;text-align:left;font-size:.85rem;vertical-align:top;word-break:break-all}
table.kv th{width:18rem;color:#4a5568;font-weight:500}
ol.path{display:flex;flex-wrap:wrap;gap:.4rem;list-style:none;padding:0}
ol.path li{background:#fff;border:1px solid #dde1e7;border-radius:4px;padding:.35rem .6rem}
ol.path li.failed{border-color:#f5c2bd;background:#fdecea}
.preview{font-size:1.15rem}
section.event{background:#fff;border:1px solid #dde1e7;padding:.2rem 1rem;margin-bottom:.8rem}
td.files a{font-size:.82rem}
body.login main{max-width:28rem;margin:6rem auto;background:#fff;border:1px solid #dde1e7;padding:1.5rem 2rem}
body.login label{display:block;margin:.8rem 0}
body.login input{display:block;width:100%;padding:.45rem;margin-top:.3rem;border:1px solid #c5cbd5;border-radius:4px}
body.login button{padding:.45rem 1.2rem;background:#1d2430;color:#fff;border:0;border-radius:4px;cursor:pointer}
"#;
