package org.screamrouter.sip.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void roundTrip() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("name", "a \"b\"\n\u00e9");
        m.put("n", 5);
        m.put("on", false);
        m.put("none", null);
        m.put("list", List.of(1.5, "x"));
        @SuppressWarnings("unchecked")
        Map<String, Object> back = (Map<String, Object>) Json.parse(Json.write(m));
        assertThat(back).containsEntry("name", "a \"b\"\n\u00e9").containsEntry("n", 5L).containsEntry("on", false)
                .containsEntry("none", null).containsEntry("list", List.of(1.5, "x"));
        assertThat(Json.parse("[{\"a\":\"\\u00e9\\/\"}, true, -1e3]")).isEqualTo(List.of(Map.of("a", "\u00e9/"), true, -1000.0));
    }

    @Test
    void aBodyOfBracketsIsRefusedNotAStackOverflow() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertThatThrownBy(() -> Json.parse(deep)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nested deeper than 64");
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertThat(Json.parse(ok)).isInstanceOf(List.class);
    }
}
