package io.civitas.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The placeholder page, as the controller serves it from classpath:/static/. */
class IndexPageTest {

    private static String page() throws IOException {
        try (InputStream in = IndexPageTest.class.getResourceAsStream("/static/index.html")) {
            assertThat(in).as("classpath:/static/index.html").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void isServedFromTheStaticFolderWithTheCityTitle() throws IOException {
        assertThat(page()).contains("<title>Civitas</title>");
    }

    @Test
    void loadsNothingFromOutsideTheController() throws IOException {
        // The machines that run a city's controller may have no internet: no CDN scripts, styles or fonts.
        assertThat(Pattern.compile("(src|href)\\s*=\\s*[\"']?(https?:)?//", Pattern.CASE_INSENSITIVE)
                .matcher(page()).find()).isFalse();
        assertThat(page()).doesNotContain("@import");
    }

    @Test
    void keepsTheAdminTokenInSessionStorageAndSendsItAsABearerHeaderOnly() throws IOException {
        String page = page();
        assertThat(page).contains("sessionStorage").doesNotContain("localStorage");
        assertThat(page).contains("\"Authorization\": \"Bearer \" + t");
        assertThat(page).doesNotContainPattern("[?&]token=");
    }

    @Test
    void listsNodesFromTheRestApiEveryTwoSeconds() throws IOException {
        assertThat(page()).contains("fetch(\"/api/v1/nodes\"").contains("REFRESH_MS = 2000");
    }
}
