package io.civitas.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The bundle the build makes, as the controller serves it from classpath:/static/. */
class IndexPageTest {

    private static String resource(String name) throws IOException {
        try (InputStream in = IndexPageTest.class.getResourceAsStream("/static/" + name)) {
            assertThat(in).as("classpath:/static/" + name + " (built by npm run build)").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void isBuiltIntoTheStaticFolderWithItsScriptAndStyles() throws IOException {
        assertThat(resource("index.html")).contains("<title>Civitas</title>")
                .contains("src=\"app.js\"").contains("href=\"app.css\"");
        assertThat(resource("app.js")).contains("civitasRendered");
        assertThat(resource("app.css")).contains("leaflet");
    }

    @Test
    void loadsNothingFromOutsideTheController() throws IOException {
        // The machines that run a city's controller may have no internet: no CDN scripts, styles or fonts.
        assertThat(Pattern.compile("(src|href)\\s*=\\s*[\"']?(https?:)?//", Pattern.CASE_INSENSITIVE)
                .matcher(resource("index.html")).find()).isFalse();
        assertThat(resource("app.css")).doesNotContain("@import");
    }

    @Test
    void keepsTheAdminTokenInSessionStorageAndSendsItAsABearerHeaderOnly() throws IOException {
        String app = resource("app.js");
        assertThat(app).contains("sessionStorage").contains("civitas.adminToken").contains("Bearer ");
        assertThat(app).doesNotContain("localStorage").doesNotContainPattern("[?&]token=").doesNotContain("EventSource(");
    }
}
