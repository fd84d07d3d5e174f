package org.screamrouter.sip.stack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.screamrouter.sip.stack.SipRequestHandler;

class HandlerRegistryTest {
    private final HandlerRegistry registry = new HandlerRegistry();
    private final SipRequestHandler a = exchange -> { };
    private final SipRequestHandler b = exchange -> { };

    @Test
    void servedMethodsFollowHandlersComingAndGoing() {
        registry.put(1L, () -> a, Map.of("service.id", 1L, SipRequestHandler.METHOD, "REGISTER"));
        registry.put(2L, () -> b, Map.of("service.id", 2L, SipRequestHandler.METHOD, new String[] {"OPTIONS", "message"}));
        assertThat(registry.methods()).containsExactly("MESSAGE", "OPTIONS", "REGISTER");

        registry.remove(1L);
        assertThat(registry.methods()).containsExactly("MESSAGE", "OPTIONS");
        assertThat(registry.handlerFor("REGISTER")).isNull();
    }

    @Test
    void highestRankingWinsThenLowestServiceId() {
        registry.put(5L, () -> a, Map.of("service.id", 5L, SipRequestHandler.METHOD, "INVITE"));
        registry.put(6L, () -> b, Map.of("service.id", 6L, SipRequestHandler.METHOD, "INVITE"));
        assertThat(registry.handlerFor("INVITE").get()).isSameAs(a);

        registry.put(6L, () -> b, Map.of("service.id", 6L, "service.ranking", 10, SipRequestHandler.METHOD, "INVITE"));
        assertThat(registry.handlerFor("INVITE").get()).isSameAs(b);
    }

    @Test
    void handlerIsObtainedOnFirstUseOnlyOnce() {
        AtomicInteger obtained = new AtomicInteger();
        registry.put(1L, () -> { obtained.incrementAndGet(); return a; }, Map.of("service.id", 1L, SipRequestHandler.METHOD, "BYE"));
        assertThat(obtained).hasValue(0);
        registry.handlerFor("BYE").get();
        registry.handlerFor("BYE").get();
        assertThat(obtained).hasValue(1);
        assertThat(registry.remove(1L).obtained()).isSameAs(a);
    }

    @Test
    void methodPropertyAcceptsCommaListsArraysAndCollections() {
        assertThat(HandlerRegistry.methods("INVITE, ack")).containsExactly("INVITE", "ACK");
        assertThat(HandlerRegistry.methods(List.of("bye", "CANCEL"))).containsExactly("BYE", "CANCEL");
        assertThat(HandlerRegistry.methods(42)).isEmpty();
    }
}
