package org.screamrouter.sip.web.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.screamrouter.sip.web.internal.Route.Kind;

class RouteTest {
    @Test
    void everyRouteMatchesItsMethodAndPath() {
        assertThat(Route.match("POST", "/login")).isEqualTo(new Route(Kind.LOGIN, null));
        assertThat(Route.match("POST", "/logout")).isEqualTo(new Route(Kind.LOGOUT, null));
        assertThat(Route.match("GET", "/session")).isEqualTo(new Route(Kind.SESSION, null));
        assertThat(Route.match("GET", "/devices")).isEqualTo(new Route(Kind.DEVICES, null));
        assertThat(Route.match("GET", "/devices/")).as("a trailing slash").isEqualTo(new Route(Kind.DEVICES, null));
        assertThat(Route.match("GET", "/devices/abc")).isEqualTo(new Route(Kind.DEVICE, "abc"));
        assertThat(Route.match("DELETE", "/devices/abc")).isEqualTo(new Route(Kind.UNREGISTER, "abc"));
        assertThat(Route.match("POST", "/devices/abc/ping")).isEqualTo(new Route(Kind.PING, "abc"));
        assertThat(Route.match("GET", "/calls")).isEqualTo(new Route(Kind.CALLS, null));
        assertThat(Route.match("DELETE", "/calls/x1")).isEqualTo(new Route(Kind.HANGUP, "x1"));
        assertThat(Route.match("GET", "/subscriptions")).isEqualTo(new Route(Kind.SUBSCRIPTIONS, null));
        assertThat(Route.match("GET", "/sinks")).isEqualTo(new Route(Kind.SINKS, null));
        assertThat(Route.match("GET", "/status")).isEqualTo(new Route(Kind.STATUS, null));
        assertThat(Route.match("GET", "/events")).isEqualTo(new Route(Kind.EVENTS, null));
        assertThat(Route.match("GET", "/config")).isEqualTo(new Route(Kind.CONFIG, null));
    }

    @Test
    void theVariableIsDecodedAfterSplittingSoAnEncodedSlashStaysInIt() {
        assertThat(Route.match("DELETE", "/calls/a%2Fb%40host").id()).isEqualTo("a/b@host");
        assertThat(Route.match("DELETE", "/calls/a+b").id()).as("a plus is a plus in a path").isEqualTo("a+b");
        assertThatThrownBy(() -> Route.match("GET", "/devices/%zz")).isInstanceOfSatisfying(ApiError.class,
                e -> assertThat(e.status()).isEqualTo(400));
    }

    @Test
    void anUnknownPathIs404() {
        for (String path : new String[] {"", "/", "/nothing", "/devices/a/b", "/devices/a/pong", "/calls/a/b"}) {
            assertThatThrownBy(() -> Route.match("GET", path)).as(path).isInstanceOfSatisfying(ApiError.class, e -> {
                assertThat(e.status()).isEqualTo(404);
                assertThat(e.getMessage()).contains("/api" + path);
            });
        }
    }

    @Test
    void aKnownPathWithAnotherMethodIs405WithAllow() {
        assertThatThrownBy(() -> Route.match("PUT", "/devices/abc")).isInstanceOfSatisfying(ApiError.class, e -> {
            assertThat(e.status()).isEqualTo(405);
            assertThat(e.header() + ": " + e.headerValue()).isEqualTo("Allow: " + "GET, DELETE");
        });
        assertThatThrownBy(() -> Route.match("GET", "/login")).isInstanceOfSatisfying(ApiError.class, e -> {
            assertThat(e.status()).isEqualTo(405);
            assertThat(e.header() + ": " + e.headerValue()).isEqualTo("Allow: " + "POST");
        });
        assertThatThrownBy(() -> Route.match("POST", "/devices")).isInstanceOfSatisfying(ApiError.class,
                e -> assertThat(e.header() + ": " + e.headerValue()).isEqualTo("Allow: " + "GET"));
    }

    @Test
    void onlyTheLoginGoesWithoutSessionAndEveryNonGetIsAChange() {
        for (Kind k : Kind.values()) {
            assertThat(k.needsSession()).as(k.name()).isEqualTo(k != Kind.LOGIN);
            assertThat(k.changes()).as(k.name()).isEqualTo(!k.method.equals("GET"));
        }
    }
}
