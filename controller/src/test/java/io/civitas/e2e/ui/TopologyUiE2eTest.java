package io.civitas.e2e.ui;

import io.civitas.e2e.CityApi;
import io.civitas.e2e.ControllerProcess;

import io.civitas.agent.AgentConfig;
import io.civitas.agent.NodeAgent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The topology view and the policy editor in headless Chromium, against a real controller and real agents:
 * the operator logs in and sees the nodes, a node whose agent stops turns red without a reload, a policy
 * mistake is marked on its line, a dry-run shows the per-node difference, and an activation shows the
 * node's new overlay. Screenshots go to target/ui-screenshots/.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TopologyUiE2eTest {

    private static final Path SCREENSHOTS = Path.of("target", "ui-screenshots");
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static Path tmp;
    private static ControllerProcess controller;
    private static CityApi api;
    private static String token;
    private static NodeAgent steady;
    private static NodeAgent doomed;
    private static String steadyId;
    private static String doomedId;
    private WebDriver browser;
    private String testName;

    @BeforeAll
    static void city() throws Exception {
        tmp = Files.createTempDirectory("civitas-ui");
        controller = new ControllerProcess(tmp.resolve("controller")).start();
        token = controller.adminToken();
        api = new CityApi(controller.base(), token);
        steadyId = enroll("board-air", 38.1935, 15.5540);
        steady = agent(steadyId, "steady");
        doomedId = enroll("board-doomed", 38.1890, 15.5600);
        doomed = agent(doomedId, "doomed");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!(online(steadyId) && online(doomedId))) {
            assertThat(System.nanoTime()).as("both agents ONLINE within %s", WAIT).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static String[] enrollment = new String[2];

    private static String enroll(String name, double lat, double lon) throws Exception {
        CityApi.Response r = api.send("POST", "/api/v1/nodes", """
                {"name":"%s","kind":"BOARD","location":{"lat":%s,"lon":%s},
                 "labels":{"district":"Centro","sensors":"pm25,temperature"}}""".formatted(name, lat, lon));
        assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(201);
        enrollment[0] = r.body().get("enrollmentToken").asText();
        return r.body().get("id").asText();
    }

    private static NodeAgent agent(String id, String dir) {
        NodeAgent a = new NodeAgent(AgentConfig.of(List.of(controller.base()), enrollment[0], tmp.resolve(dir))
                .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(1)));
        a.start();
        return a;
    }

    private static boolean online(String id) throws Exception {
        return "ONLINE".equals(api.send("GET", "/api/v1/nodes/" + id, null).body().get("status").asText());
    }

    @AfterAll
    static void stopCity() {
        for (AutoCloseable c : new AutoCloseable[] {steady, doomed, controller}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // closing what is left
            }
        }
    }

    @BeforeEach
    void openBrowser(TestInfo info) throws Exception {
        testName = info.getTestMethod().orElseThrow().getName();
        browser = HeadlessChromium.start(Files.createTempDirectory(tmp, "chromium-profile"), 1400, 900);
        browser.get(controller.base() + "/");
        WebElement tokenField = until(d -> d.findElement(By.id("token")).isDisplayed() ? d.findElement(By.id("token")) : null);
        tokenField.sendKeys(token);
        browser.findElement(By.id("login-submit")).click();
        until(d -> d.findElements(By.cssSelector("#node-list li[data-node-id]")).size() >= 2);
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            HeadlessChromium.screenshot(browser, SCREENSHOTS, testName);
            browser.quit();
        }
    }

    @Test
    @Order(1)
    void loggedInOperatorSeesTheNodesOnlineInTheGraph() {
        until(d -> "ONLINE".equals(nodeItem(steadyId).getAttribute("data-status")));
        assertThat(nodeItem(steadyId).getAttribute("textContent")).contains("board-air");
        assertThat(graphColour(steadyId)).isEqualTo("rgb(31,138,76)");
        assertThat(js("return window.civitasRendered && window.civitasRendered.nodes")).isEqualTo(2L);
        assertThat(browser.getCurrentUrl()).doesNotContain(token);
        // the map draws the nodes at their lat/lon, with no tiles
        browser.findElement(By.cssSelector("#tabs button[data-tab='map']")).click();
        until(d -> !d.findElements(By.cssSelector("#map .leaflet-overlay-pane canvas")).isEmpty());
        assertThat(browser.findElements(By.cssSelector("#map .leaflet-tile"))).isEmpty();
        HeadlessChromium.screenshot(browser, SCREENSHOTS, "map");
        browser.findElement(By.cssSelector("#tabs button[data-tab='graph']")).click();
    }

    @Test
    @Order(2)
    void policyWithAnErrorIsMarkedOnItsLine() {
        openPolicyEditor("bad", "bad.drl", """
                package civitas.e2e;
                rule "red boards"
                when
                    $n : Node( kind == "BOARD" )
                    Node( colour == "red" )
                then
                end
                """);
        browser.findElement(By.id("policy-validate")).click();
        WebElement error = until(d -> d.findElements(By.cssSelector(".policy-error")).stream().findFirst().orElse(null));
        assertThat(error.getAttribute("data-line")).isEqualTo("5");
        assertThat(error.getText()).contains("colour");
        // CodeMirror's underline sits in the fifth line of the editor, and its gutter marks that line.
        Object markedLine = until(d -> js("""
                const mark = document.querySelector('#editor .cm-lintRange-error');
                if (!mark) return null;
                const line = mark.closest('.cm-line');
                return [...document.querySelectorAll('#editor .cm-content > .cm-line')].indexOf(line) + 1;"""));
        assertThat(markedLine).isEqualTo(5L);
        assertThat(browser.findElements(By.cssSelector("#editor .cm-lint-marker-error"))).hasSize(1);
    }

    @Test
    @Order(3)
    void dryRunShowsTheDifferencePerNode() {
        openPolicyEditor("air", "air.drl", policy("env-net"));
        browser.findElement(By.id("policy-dry-run")).click();
        WebElement diff = until(d -> d.findElements(By.cssSelector("#dry-run .node-diff[data-node-id='" + steadyId + "']"))
                .stream().findFirst().orElse(null));
        assertThat(diff.getText()).contains("board-air").contains("+ overlay env-net").contains("~ sampling pm25: none -> 200 ms");
        assertThat(browser.findElement(By.id("dry-run-summary")).getText()).contains("2 of 2 nodes would change");
    }

    @Test
    @Order(4)
    void activationShowsTheNewOverlayOnTheNode() {
        openPolicyEditor("air", "air.drl", policy("env-net"));
        browser.findElement(By.id("policy-push")).click();
        WebElement activate = until(d -> d.findElements(By.cssSelector("#policy-versions button[data-activate]"))
                .stream().findFirst().orElse(null));
        activate.click();
        until(d -> d.findElement(By.id("policy-status")).getText().startsWith("activated air version"));
        browser.findElement(By.cssSelector("#tabs button[data-tab='graph']")).click();
        until(d -> nodeItem(steadyId).getAttribute("data-overlays").contains("env-net"));
        // the node panel lists it too
        js("window.civitasCy.getElementById(arguments[0]).emit('tap')", steadyId);
        until(d -> !d.findElements(By.cssSelector("#node-overlays [data-overlay='env-net']")).isEmpty());
        browser.findElement(By.cssSelector("#tabs button[data-tab='overlays']")).click();
        assertThat(until(d -> d.findElement(By.cssSelector("tr[data-overlay='env-net']"))).getText()).contains("board-air");
        browser.findElement(By.cssSelector("#tabs button[data-tab='graph']")).click();
    }

    @Test
    @Order(5)
    void offlineNodeTurnsRedWithoutReload() {
        until(d -> "ONLINE".equals(nodeItem(doomedId).getAttribute("data-status")));
        js("window.civitasNoReload = true");
        long closed = System.nanoTime();
        doomed.close();
        until(d -> "OFFLINE".equals(nodeItem(doomedId).getAttribute("data-status")));
        long millis = (System.nanoTime() - closed) / 1_000_000;
        assertThat(millis).as("red within 2 s of the agent's end").isLessThanOrEqualTo(2_000);
        assertThat(graphColour(doomedId)).isEqualTo("rgb(192,57,43)");
        assertThat(js("return window.civitasNoReload")).as("the page was not reloaded").isEqualTo(true);
        assertThat(nodeItem(steadyId).getAttribute("data-status")).isEqualTo("ONLINE");
    }

    private static String policy(String overlay) {
        return """
                package civitas.e2e;
                rule "boards of Centro join %s"
                when
                    $n : Node( kind == "BOARD", district == "centro" )
                then
                    insertLogical(new OverlayMembership($n.getId(), "%s"));
                    insertLogical(new SamplingPlan($n.getId(), "pm25", 200L));
                end
                """.formatted(overlay, overlay);
    }

    private void openPolicyEditor(String name, String file, String text) {
        browser.findElement(By.cssSelector("#tabs button[data-tab='policies']")).click();
        until(d -> d.findElement(By.cssSelector("#editor .cm-content")).isDisplayed());
        WebElement nameField = browser.findElement(By.id("policy-name"));
        nameField.clear();
        nameField.sendKeys(name);
        js("window.civitasEditor.setFiles([{path: arguments[0], text: arguments[1]}])", file, text);
        until(d -> d.findElements(By.cssSelector("#editor .cm-content > .cm-line")).size() >= text.split("\n").length);
    }

    private WebElement nodeItem(String id) {
        return browser.findElement(By.cssSelector("#node-list li[data-node-id='" + id + "']"));
    }

    private String graphColour(String id) {
        return String.valueOf(js("return window.civitasCy.getElementById(arguments[0]).style('background-color')", id))
                .replace(" ", "");
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private <T> T until(java.util.function.Function<WebDriver, T> condition) {
        return new WebDriverWait(browser, WAIT).pollingEvery(Duration.ofMillis(50))
                .ignoring(org.openqa.selenium.NoSuchElementException.class)
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(condition);
    }
}
