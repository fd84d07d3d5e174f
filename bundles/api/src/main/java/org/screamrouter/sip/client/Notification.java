package org.screamrouter.sip.client;

import javax.sip.message.Request;

/**
 * One NOTIFY of a subscription (RFC 6665 4.1.3).
 *
 * @param state       the Subscription-State value ({@code active}, {@code pending}, {@code terminated})
 * @param expires     its {@code expires} parameter, -1 when absent
 * @param reason      its {@code reason} parameter, or null
 * @param contentType the body's Content-Type ({@code type/subtype}), or null without a body
 * @param body        the body bytes (empty without a body)
 * @param request     the NOTIFY itself; do not change it
 */
public record Notification(String state, int expires, String reason, String contentType, byte[] body, Request request) {
    public String bodyText() {
        return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }

    public boolean terminated() {
        return "terminated".equalsIgnoreCase(state);
    }
}
