//! End to end: the real `ecert serve --demo` driven through headless Chromium along both paths
//! of the user guide's section 二, with its labels, and into each answer of its section 四.
//!
//! Each test starts its own server (on the database `ECERT_TEST_DATABASE_URL` names, so the
//! PostgreSQL pass of `scripts/test` runs these too), one chromedriver, and two browsers with
//! separate profiles: the portal on the "computer" and the app on the "phone". Chromium and
//! chromedriver come from `/usr/bin` unless `ECERT_CHROMIUM` and `ECERT_CHROMEDRIVER` say
//! otherwise; without them the tests fail rather than pass unseen. `ECERT_SCREENSHOTS=DIR`
//! (relative to the workspace root) saves the main pages as `DIR/portal-*.png`.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly at the step that broke"
)]

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use ecert_store::testing::TestDatabase;
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tempfile::TempDir;

/// How long any one thing a holder waits for may take before the test gives up.
const TIMEOUT: Duration = Duration::from_secs(20);

/// The guide promises a file within about a minute; the debug build renders more slowly.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(90);

/// The demo accounts' password (`ecert_app::demo::PASSWORD`).
const PASSWORD: &str = "ecert-demo-2026";

/// The phone number the demo-nophone holder binds.
const PHONE: &str = "13800138000";

#[tokio::test]
async fn the_ministry_portal_path_endorses_and_downloads_a_pdf_and_an_ofd_that_verify() {
    let world = World::start().await;
    let portal = &world.portal;

    portal.open(&world.server.url).await;
    portal.click_link("登录").await;
    portal.see("用户名").await;
    portal.screenshot("login").await;
    portal.fill("username", "demo").await;
    portal.fill("password", PASSWORD).await;
    portal.click_button("登录").await;
    portal.click_link("用户中心").await;
    portal.see("账户信息").await;
    portal.screenshot("user-centre").await;
    portal.click_link("我的证照").await;

    world.authenticate_in_the_app("demo", true).await;
    portal.see("电子证照管理").await;
    portal.see("一级注册建筑师").await;
    portal.click_link("证照加注").await;

    world.endorse(true).await;
    let pdf = world.download("pdf 下载", "pdf", true).await;
    portal.click_link("返回加注页面").await;
    let ofd = world.download("OFD 下载", "ofd", false).await;

    world.server.verifies(&pdf);
    world.server.verifies(&ofd);
    // The file's QR code opens the public verification page; here in the same browser.
    portal.open(&world.server.verification_url(&pdf)).await;
    portal.see("真实有效").await;
    portal.see("使用有效期").await;
    portal.screenshot("verification").await;
    world.finish().await;
}

#[tokio::test]
async fn the_national_platform_path_binds_an_unlisted_certificate_then_endorses_and_downloads() {
    let world = World::start().await;
    let portal = &world.portal;
    let number = world.server.passport_registration_number();

    world.log_in_to_the_portal("demo-unlisted").await;
    portal.click_link("用户中心").await;
    portal
        .see("“我的证照”中暂未显示一级注册建筑师注册证书")
        .await;
    portal.click_link("查看更多").await;
    portal.see("详情页面未显示一级注册建筑师注册证书").await;
    portal.fill("number", &number).await;
    portal.click_button("绑定证照").await;
    portal.see(&format!("绑定成功：注册号 {number}")).await;
    portal.click_link("查看详情").await;

    world.authenticate_in_the_app("demo-unlisted", false).await;
    portal.see("证照相关服务").await;
    portal.click_link("证照加注服务").await;

    world.endorse(false).await;
    let pdf = world.download("pdf 下载", "pdf", false).await;
    portal.click_link("返回加注页面").await;
    let ofd = world.download("OFD 下载", "ofd", false).await;

    world.server.verifies(&pdf);
    world.server.verifies(&ofd);
    world.finish().await;
}

#[tokio::test]
async fn the_national_platform_path_opens_a_listed_certificate_with_view_details_directly() {
    let world = World::start().await;
    let portal = &world.portal;

    world.log_in_to_the_portal("demo").await;
    portal.click_link("用户中心").await;
    portal.see("一级注册建筑师注册证书").await;
    portal.click_link("查看详情").await;

    world.authenticate_in_the_app("demo", false).await;
    portal.see("证照相关服务").await;
    portal.click_link("证照加注服务").await;

    world.endorse(false).await;
    world.finish().await;
}

#[tokio::test]
async fn a_lapsed_registration_is_refused_as_expired_with_renewal_as_the_remedy() {
    let world = World::start().await;
    let refusal = world.refusal_for("demo-lapsed").await;

    assert!(refusal.contains("证照过期"), "{refusal}");
    assert!(refusal.contains("请申请办理“延续注册”业务"), "{refusal}");
    world.finish().await;
}

#[tokio::test]
async fn an_unreported_registration_is_refused_as_failed_until_the_ministry_has_it() {
    let world = World::start().await;
    let refusal = world.refusal_for("demo-unreported").await;

    assert!(refusal.contains("加注失败"), "{refusal}");
    assert!(refusal.contains("还未上报到住房和城乡建设部"), "{refusal}");
    assert!(refusal.contains("请等待一段时间后再加注"), "{refusal}");
    world.finish().await;
}

#[tokio::test]
async fn a_missing_signature_image_is_named_with_where_to_add_it() {
    let world = World::start().await;
    let refusal = world.refusal_for("demo-nosignature").await;

    assert!(refusal.contains("缺少手写签名图像"), "{refusal}");
    assert!(
        refusal.contains("申报业务系统补充手写签名图像"),
        "{refusal}"
    );
    world.finish().await;
}

#[tokio::test]
async fn a_holder_without_a_phone_binds_one_with_the_texted_code_and_then_endorses() {
    let world = World::start().await;
    let portal = &world.portal;
    let refusal = world.refusal_for("demo-nophone").await;
    assert!(refusal.contains("手机号码未绑定"), "{refusal}");
    assert!(refusal.contains("请先绑定手机号码"), "{refusal}");

    portal.click_link("绑定手机号").await;
    portal.see("绑定手机号").await;
    portal.fill("phone", PHONE).await;
    portal.click_button("获取验证码").await;
    portal.see("验证码已发送至").await;
    let code = world.server.texted_code().await;
    portal.fill("code", &code).await;
    portal.click_button("绑定").await;
    portal.see("绑定成功").await;

    portal.click_link("用户中心").await;
    portal.click_link("我的证照").await;
    portal.see("电子证照管理").await;
    portal.click_link("证照加注").await;
    world.endorse(false).await;
    world.finish().await;
}

/// One test's server, chromedriver and the two browsers.
struct World {
    portal: Browser,
    app: Browser,
    driver: Driver,
    server: Server,
}

impl World {
    async fn start() -> Self {
        let server = Server::start().await;
        let driver = Driver::start();
        let portal = Browser::launch(&driver, "1280,900").await;
        let app = Browser::launch(&driver, "412,860").await;
        Self {
            portal,
            app,
            driver,
            server,
        }
    }

    /// Ends both browser sessions; the driver and server end when the world is dropped.
    async fn finish(self) {
        let Self {
            portal,
            app,
            driver,
            server,
        } = self;
        portal.client.close().await.unwrap();
        app.client.close().await.unwrap();
        drop(driver);
        drop(server);
    }

    /// [登录] at the top right, then the username and password.
    async fn log_in_to_the_portal(&self, username: &str) {
        let portal = &self.portal;
        portal.open(&self.server.url).await;
        portal.click_link("登录").await;
        portal.fill("username", username).await;
        portal.fill("password", PASSWORD).await;
        portal.click_button("登录").await;
        portal.see("用户中心").await;
    }

    /// From the real-name panel on the portal: the code typed into the app, what is being
    /// approved checked, face verification, approval; the portal moves on by itself.
    async fn authenticate_in_the_app(&self, username: &str, screenshots: bool) {
        let portal = &self.portal;
        portal.see("实名身份认证").await;
        let qr = portal
            .find_displayed("//div[@class='qr']/*[local-name()='svg']")
            .await;
        assert!(qr.is_displayed().await.unwrap());
        let code = portal.text_of("realname-code").await;
        assert!(!code.is_empty());
        if screenshots {
            portal.screenshot("realname").await;
        }

        let app = &self.app;
        app.open(&format!("{}app", self.server.url)).await;
        app.fill("username", username).await;
        app.fill("password", PASSWORD).await;
        app.click_button("登录").await;
        app.see("扫码认证").await;
        app.fill("code", &code).await;
        app.click_button("确认").await;
        app.see("请确认本次认证").await;
        assert_eq!(app.text_of("request-user").await, username);
        assert!(!app.text_of("request-action").await.is_empty());
        assert_eq!(app.text_of("request-address").await, "127.0.0.1");
        assert!(!app.text_of("request-time").await.is_empty());
        assert!(!app.text_of("face-notice").await.is_empty());
        if screenshots {
            app.screenshot("app-approval").await;
        }
        app.click_button("开始人脸识别").await;
        app.click_button("确认授权").await;
        app.see("认证成功，请返回电脑继续操作。").await;

        portal.gone("realname").await;
    }

    /// On the endorsement page: [证照加注] at the top right, [加注] in the dialog,
    /// "加注成功！".
    async fn endorse(&self, screenshots: bool) {
        let portal = &self.portal;
        portal.see("电子证书加注").await;
        portal.click_link("证照加注").await;
        portal.click_button("加注").await;
        portal.see("加注成功！").await;
        let period = portal.text_of("usage-period").await;
        assert!(period.contains('至'), "usage period {period}");
        if screenshots {
            portal.screenshot("endorsed").await;
        }
    }

    /// [pdf 下载] or [OFD 下载], [确定] in the dialog, then the file the progress page fetches.
    async fn download(&self, label: &str, extension: &str, screenshots: bool) -> PathBuf {
        let portal = &self.portal;
        portal.click_link(label).await;
        portal.click_button("确定").await;
        portal.see("电子证书下载").await;
        let file = portal.downloaded(extension).await;
        portal.see("下载电子证书").await;
        if screenshots {
            portal.screenshot("download").await;
        }
        file
    }

    /// Logs in, authenticates, asks to endorse the holder's certificate and returns the
    /// refusal shown.
    async fn refusal_for(&self, username: &str) -> String {
        let portal = &self.portal;
        self.log_in_to_the_portal(username).await;
        portal.click_link("用户中心").await;
        portal.click_link("我的证照").await;
        self.authenticate_in_the_app(username, false).await;
        portal.see("电子证照管理").await;
        portal.click_link("证照加注").await;
        portal.see("电子证书加注").await;
        portal.click_link("证照加注").await;
        portal.click_button("加注").await;
        portal.find_displayed("//*[@id='refusal']").await;
        portal.text_of("refusal").await
    }
}

/// `ecert serve --demo` on a fresh database and data folder.
struct Server {
    child: Child,
    url: String,
    stderr: Arc<Mutex<String>>,
    data: TempDir,
    database: TestDatabase,
}

impl Server {
    async fn start() -> Self {
        let database = TestDatabase::new().await;
        let data = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_ecert"))
            .args(["serve", "--demo", "--workers", "1"])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--public-url", &format!("http://127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(data.path())
            .args(["--database", &database.url])
            .env("ECERT_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();

        let stderr = Arc::new(Mutex::new(String::new()));
        let kept = Arc::clone(&stderr);
        let pipe = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let mut kept = kept.lock().unwrap();
                kept.push_str(&line);
                kept.push('\n');
            }
        });
        let (sender, receiver) = mpsc::channel();
        let pipe = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("ecert is running at ").nth(1) {
                    let url = rest.split_whitespace().next().unwrap_or_default();
                    let _ = sender.send(url.to_owned());
                }
            }
        });
        // Seeding the demo data in a debug build takes a while; the printed URL says it is done.
        let Ok(url) = receiver.recv_timeout(Duration::from_mins(2)) else {
            let log = stderr.lock().unwrap().clone();
            panic!("ecert serve printed no URL; its log:\n{log}");
        };
        Self {
            child,
            url,
            stderr,
            data,
            database,
        }
    }

    /// The number of the demo certificate recorded under a passport, as the holder reads it
    /// off the paper certificate: from the demo import file.
    fn passport_registration_number(&self) -> String {
        let csv = std::fs::read_to_string(self.data.path().join("demo/holders.csv")).unwrap();
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let column = |name| header.iter().position(|c| *c == name).unwrap();
        let (number, id_type) = (column("registration_number"), column("id_type"));
        lines
            .map(|line| line.split(',').collect::<Vec<_>>())
            .find(|row| row[id_type] == "414")
            .map(|row| row[number].to_owned())
            .unwrap()
    }

    /// The last code the development SMS provider wrote into the log.
    async fn texted_code(&self) -> String {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let code = self
                .stderr
                .lock()
                .unwrap()
                .rsplit("验证码 ")
                .next()
                .and_then(|rest| {
                    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    (digits.len() == 6).then_some(digits)
                });
            if let Some(code) = code {
                return code;
            }
            assert!(Instant::now() < deadline, "no code in the server's log");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `ecert verify FILE --trust-list TRUST` exits 0, with the trust list the same data
    /// folder exports.
    fn verifies(&self, file: &Path) {
        let trust = self.data.path().join("trust.json");
        let exported = self.ecert(&[
            "keys".as_ref(),
            "export-trust-list".as_ref(),
            trust.as_ref(),
        ]);
        assert!(exported.status.success(), "{exported:?}");
        let verified = self.ecert(&[
            "verify".as_ref(),
            file.as_ref(),
            "--trust-list".as_ref(),
            trust.as_ref(),
        ]);
        assert!(
            verified.status.success(),
            "{} was not verified: {}{}",
            file.display(),
            String::from_utf8_lossy(&verified.stdout),
            String::from_utf8_lossy(&verified.stderr)
        );
    }

    /// The verification page the file's QR code opens, as the signed file links it (after
    /// [`Self::verifies`], which exports the trust list).
    fn verification_url(&self, pdf: &Path) -> String {
        let trust = std::fs::read_to_string(self.data.path().join("trust.json")).unwrap();
        let trust = ecert_sign::TrustList::from_json(&trust).unwrap();
        let signed = ecert_sign::verify_pdf(&std::fs::read(pdf).unwrap(), &trust).unwrap();
        signed
            .verification_url
            .expect("the PDF links its verification page")
    }

    fn ecert(&self, args: &[&std::ffi::OsStr]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_ecert"))
            .args(args)
            .arg("--data-dir")
            .arg(self.data.path())
            .args(["--database", &self.database.url])
            .output()
            .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("the server's log:\n{}", self.stderr.lock().unwrap());
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// chromedriver on a free loopback port, leading its own process group so that the browsers
/// it starts end with it even when a test fails before closing them.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start() -> Self {
        let program = tool("ECERT_CHROMEDRIVER", "/usr/bin/chromedriver");
        let port = free_port();
        let child = Command::new(&program)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
        let driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + TIMEOUT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

/// One `WebDriver` session: its own Chromium with a fresh profile and download folder.
struct Browser {
    client: Client,
    downloads: TempDir,
    _profile: TempDir,
}

impl Browser {
    async fn launch(driver: &Driver, window_size: &str) -> Self {
        let chromium = tool("ECERT_CHROMIUM", "/usr/bin/chromium");
        let profile = tempfile::tempdir().unwrap();
        let downloads = tempfile::tempdir().unwrap();
        let options = json!({
            "binary": chromium,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                "--lang=zh-CN",
                format!("--window-size={window_size}"),
                format!("--user-data-dir={}", profile.path().display()),
            ],
            "prefs": {
                "download.default_directory": downloads.path(),
                "download.prompt_for_download": false,
            },
        });
        let mut capabilities = Capabilities::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert("goog:chromeOptions".into(), options);
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .unwrap();
        Self {
            client,
            downloads,
            _profile: profile,
        }
    }

    async fn open(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// Waits until the page shows `text` (hidden elements and closed dialogs do not count).
    async fn see(&self, text: &str) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let shown = self.visible_text().await;
            if shown.contains(text) {
                return;
            }
            if Instant::now() > deadline {
                let url = self.client.current_url().await.unwrap();
                panic!("{url} never showed “{text}”; it shows:\n{shown}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn visible_text(&self) -> String {
        let script = "return document.body ? document.body.innerText : ''";
        match self.client.execute(script, Vec::new()).await {
            Ok(value) => value.as_str().unwrap_or_default().to_owned(),
            // A page being replaced has no body to read yet.
            Err(_) => String::new(),
        }
    }

    /// Waits until the element with `id` is no longer on the page.
    async fn gone(&self, id: &str) {
        let deadline = Instant::now() + TIMEOUT;
        while !self
            .client
            .find_all(Locator::Id(id))
            .await
            .unwrap_or_default()
            .is_empty()
        {
            assert!(Instant::now() < deadline, "#{id} stayed on the page");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn click_link(&self, text: &str) {
        self.click(&format!("//a[normalize-space(.)='{text}']"))
            .await;
    }

    async fn click_button(&self, text: &str) {
        self.click(&format!("//button[normalize-space(.)='{text}']"))
            .await;
    }

    /// Clicks the first displayed element `xpath` finds, once it is there and enabled.
    async fn click(&self, xpath: &str) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let element = self.find_displayed(xpath).await;
            if element.is_enabled().await.unwrap_or(false) && element.click().await.is_ok() {
                return;
            }
            assert!(Instant::now() < deadline, "could not click {xpath}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for a displayed element that `xpath` finds.
    async fn find_displayed(&self, xpath: &str) -> fantoccini::elements::Element {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let found = self.client.find_all(Locator::XPath(xpath)).await;
            for element in found.unwrap_or_default() {
                if element.is_displayed().await.unwrap_or(false) {
                    return element;
                }
            }
            if Instant::now() > deadline {
                let url = self.client.current_url().await.unwrap();
                let shown = self.visible_text().await;
                panic!("{url} never showed {xpath}; it shows:\n{shown}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Types into the displayed input named `name`.
    async fn fill(&self, name: &str, value: &str) {
        let input = self
            .find_displayed(&format!("//input[@name='{name}']"))
            .await;
        input.clear().await.unwrap();
        input.send_keys(value).await.unwrap();
    }

    /// The text of the element with `id`, once it has some.
    async fn text_of(&self, id: &str) -> String {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Ok(element) = self.client.find(Locator::Id(id)).await {
                let text = element.text().await.unwrap_or_default();
                if !text.trim().is_empty() {
                    return text.trim().to_owned();
                }
            }
            assert!(Instant::now() < deadline, "#{id} stayed empty");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for a finished download ending in `.extension` and returns its path.
    async fn downloaded(&self, extension: &str) -> PathBuf {
        let deadline = Instant::now() + DOWNLOAD_TIMEOUT;
        loop {
            let done = std::fs::read_dir(self.downloads.path())
                .unwrap()
                .map(|entry| entry.unwrap().path())
                .find(|path| path.extension().is_some_and(|e| e == extension));
            if let Some(path) = done.filter(|p| p.metadata().is_ok_and(|m| m.len() > 0)) {
                return path;
            }
            if Instant::now() > deadline {
                let shown = self.visible_text().await;
                panic!("no .{extension} file was downloaded; the page shows:\n{shown}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Saves the page as `portal-NAME.png` when `ECERT_SCREENSHOTS` names a folder.
    async fn screenshot(&self, name: &str) {
        let Some(folder) = std::env::var_os("ECERT_SCREENSHOTS") else {
            return;
        };
        let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(folder);
        std::fs::create_dir_all(&folder).unwrap();
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(folder.join(format!("portal-{name}.png")), png).unwrap();
    }
}

/// A program from the environment variable `variable`, or the Debian path.
fn tool(variable: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(variable).map_or_else(|| PathBuf::from(default), PathBuf::from);
    assert!(
        path.exists(),
        "{} is missing: install Debian's chromium and chromium-driver (scripts/test does) or \
         set {variable}",
        path.display()
    );
    path
}

/// A loopback port nothing listens on now; the brief gap before the server takes it is
/// harmless among tests that each pick their own.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
