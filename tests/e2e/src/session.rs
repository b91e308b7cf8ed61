//! One WebDriver session = one running app window, addressed through `data-testid`s.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Map};

use crate::environment::workspace_root;
use crate::wait::{poll_until, DEFAULT_TIMEOUT};

/// How long launching the app and opening its window may take.
pub(crate) const SESSION_TIMEOUT: Duration = Duration::from_secs(60);

/// The CSS selector of a test id: `[data-testid="<id>"]`.
pub fn testid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

/// Which `<option>` of a native `<select>` to pick.
#[derive(Debug, Clone, Copy)]
pub enum Choice<'a> {
    /// The option whose `value` attribute is exactly this.
    Value(&'a str),
    /// The first option whose visible text contains this.
    TextContains(&'a str),
}

/// A live WebDriver session driving one app window. End it with [`AppSession::close`].
#[derive(Debug)]
pub struct AppSession {
    client: Client,
    /// How long each wait may take.
    pub timeout: Duration,
}

impl AppSession {
    /// Opens a session on the tauri-driver at `port`; this launches `app` and waits for its window.
    pub(crate) async fn connect(port: u16, app: &Path) -> Result<Self> {
        let url = format!("http://127.0.0.1:{port}");
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(capabilities(app));
        let client = builder.connect(&url);
        let client = tokio::time::timeout(SESSION_TIMEOUT, client)
            .await
            .map_err(|_| anyhow!("the app window did not open within {SESSION_TIMEOUT:?}"))?
            .context("creating a WebDriver session (launching the app)")?;
        Ok(AppSession {
            client,
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// The underlying fantoccini client, for anything the helpers do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Ends the session, which closes the window and ends the app process.
    pub async fn close(self) -> Result<()> {
        self.client
            .close()
            .await
            .context("ending the WebDriver session")
    }

    /// Passes `outcome` through; on an error first saves `target/e2e-failure.png`, prints the page
    /// source, and ends the session either way.
    pub async fn finish<T>(self, outcome: Result<T>) -> Result<T> {
        if let Err(err) = &outcome {
            eprintln!("paydesk-e2e: step failed: {err:#}");
            self.save_failure_evidence().await;
        }
        let closed = self.close().await;
        let value = outcome?;
        closed?;
        Ok(value)
    }

    /// Saves a screenshot to `target/e2e-failure.png` and prints the page source to stderr.
    pub async fn save_failure_evidence(&self) {
        let path = workspace_root().join("target/e2e-failure.png");
        match self.screenshot(&path).await {
            Ok(()) => eprintln!("paydesk-e2e: failure screenshot: {}", path.display()),
            Err(err) => eprintln!("paydesk-e2e: could not take a failure screenshot: {err:#}"),
        }
        match self.client.source().await {
            Ok(source) => {
                eprintln!(
                    "paydesk-e2e: page source at failure:\n{source}\n--- end of page source ---"
                )
            }
            Err(err) => eprintln!("paydesk-e2e: could not read the page source: {err:#}"),
        }
    }

    /// The element matching `css` right now, or `None` if there is none.
    pub async fn find_css(&self, css: &str) -> Result<Option<Element>> {
        match self.client.find(Locator::Css(css)).await {
            Ok(element) => Ok(Some(element)),
            Err(err) if err.is_no_such_element() => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    /// All elements matching `css` right now.
    pub async fn find_all_css(&self, css: &str) -> Result<Vec<Element>> {
        Ok(self.client.find_all(Locator::Css(css)).await?)
    }

    /// Waits until an element with test id `id` is in the DOM.
    pub async fn wait_for(&self, id: &str) -> Result<Element> {
        self.wait_for_css(&testid(id)).await
    }

    /// Waits until an element matching `css` is in the DOM.
    pub async fn wait_for_css(&self, css: &str) -> Result<Element> {
        poll_until(&format!("`{css}` to appear"), self.timeout, || async {
            self.find_css(css).await
        })
        .await
    }

    /// Waits until no element with test id `id` is in the DOM.
    pub async fn wait_gone(&self, id: &str) -> Result<()> {
        let css = testid(id);
        poll_until(&format!("`{css}` to disappear"), self.timeout, || async {
            Ok(self.find_css(&css).await?.is_none().then_some(()))
        })
        .await
    }

    /// Waits until the element with test id `id` has text satisfying `accept`; returns the text.
    pub async fn wait_text(
        &self,
        id: &str,
        what: &str,
        accept: impl Fn(&str) -> bool,
    ) -> Result<String> {
        let css = testid(id);
        let seen = Mutex::new(None::<String>);
        let result = poll_until(&format!("`{css}` to show {what}"), self.timeout, || async {
            let Some(element) = self.find_css(&css).await? else {
                return Ok(None);
            };
            let text = element.text().await?.trim().to_string();
            *seen.lock().expect("not poisoned") = Some(text.clone());
            Ok(accept(&text).then_some(text))
        })
        .await;
        let seen = seen.into_inner().expect("not poisoned");
        result.with_context(|| match seen {
            Some(text) => format!("last text seen: {text:?}"),
            None => "the element never appeared".to_string(),
        })
    }

    /// Waits for a visible, enabled element with test id `id` and clicks it.
    pub async fn click(&self, id: &str) -> Result<()> {
        let css = testid(id);
        poll_until(
            &format!("`{css}` to be clickable"),
            self.timeout,
            || async {
                let Some(element) = self.find_css(&css).await? else {
                    return Ok(None);
                };
                if !element.is_displayed().await? || !element.is_enabled().await? {
                    return Ok(None);
                }
                element.click().await?;
                Ok(Some(()))
            },
        )
        .await
    }

    /// Waits for a visible, enabled button with test id `id` and presses Enter on it: the same
    /// activation as a click, but by focus, so a layout that is still settling (a long page whose
    /// sections load one by one) cannot move the button away from the click's coordinates.
    pub async fn press(&self, id: &str) -> Result<()> {
        let css = testid(id);
        let enter = char::from(fantoccini::key::Key::Enter).to_string();
        poll_until(
            &format!("`{css}` to be pressable"),
            self.timeout,
            || async {
                let Some(element) = self.find_css(&css).await? else {
                    return Ok(None);
                };
                if !element.is_displayed().await? || !element.is_enabled().await? {
                    return Ok(None);
                }
                element.send_keys(&enter).await?;
                Ok(Some(()))
            },
        )
        .await
    }

    /// Waits for the field with test id `id`, replaces its content with `value` by typing, and
    /// checks the field now holds exactly `value`.
    pub async fn fill(&self, id: &str, value: &str) -> Result<()> {
        let css = testid(id);
        poll_until(
            &format!("`{css}` to accept {value:?}"),
            self.timeout,
            || async {
                let Some(element) = self.find_css(&css).await? else {
                    return Ok(None);
                };
                if !element.is_enabled().await? {
                    return Ok(None);
                }
                element.clear().await?;
                element.send_keys(value).await?;
                let now = element.prop("value").await?.unwrap_or_default();
                Ok((now == value).then_some(()))
            },
        )
        .await
    }

    /// Picks an option of the native `<select>` with test id `id`; returns the selected value.
    ///
    /// Waits for the option to exist (options often arrive with an async IPC answer), clicks it,
    /// and checks the select's value changed.
    pub async fn select(&self, id: &str, choice: Choice<'_>) -> Result<String> {
        let css = format!("select{}", testid(id));
        poll_until(
            &format!("`{css}` to select {choice:?}"),
            self.timeout,
            || async {
                let Some(select) = self.find_css(&css).await? else {
                    return Ok(None);
                };
                let Some((option, value)) = find_option(&select, choice).await? else {
                    return Ok(None);
                };
                option.click().await?;
                let now = select.prop("value").await?.unwrap_or_default();
                Ok((now == value).then_some(value))
            },
        )
        .await
    }

    /// Resolves once the page has painted twice more: DOM changes the suite waited for are then
    /// on screen, not just in the DOM.
    pub async fn wait_for_paint(&self) -> Result<()> {
        const TWO_FRAMES: &str = "const done = arguments[arguments.length - 1];\n\
             requestAnimationFrame(() => requestAnimationFrame(() => done(true)));";
        let painted = self.client.execute_async(TWO_FRAMES, Vec::new());
        tokio::time::timeout(self.timeout, painted)
            .await
            .map_err(|_| anyhow!("the page did not paint within {:?}", self.timeout))?
            .context("waiting for the page to paint")?;
        Ok(())
    }

    /// Saves a PNG of the window (WebDriver screenshot) at `path` once the page has painted,
    /// creating parent directories.
    pub async fn screenshot(&self, path: &Path) -> Result<()> {
        self.wait_for_paint().await?;
        let png = self
            .client
            .screenshot()
            .await
            .context("taking a screenshot")?;
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir)
                .await
                .with_context(|| format!("creating {}", dir.display()))?;
        }
        tokio::fs::write(path, png)
            .await
            .with_context(|| format!("writing {}", path.display()))
    }
}

/// Capabilities tauri-driver understands: it turns `tauri:options.application` into
/// WebKitWebDriver's `webkitgtk:browserOptions.binary`.
fn capabilities(app: &Path) -> Map<String, serde_json::Value> {
    let mut caps = Map::new();
    caps.insert("browserName".into(), json!("wry"));
    caps.insert(
        "tauri:options".into(),
        json!({ "application": app, "args": [] }),
    );
    caps
}

async fn find_option(select: &Element, choice: Choice<'_>) -> Result<Option<(Element, String)>> {
    for option in select.find_all(Locator::Css("option")).await? {
        let value = option.attr("value").await?.unwrap_or_default();
        let matches = match choice {
            Choice::Value(wanted) => value == wanted,
            Choice::TextContains(wanted) => option.text().await?.contains(wanted),
        };
        if matches {
            if option.attr("disabled").await?.is_some() {
                bail!("the matching option {value:?} is disabled");
            }
            return Ok(Some((option, value)));
        }
    }
    Ok(None)
}
