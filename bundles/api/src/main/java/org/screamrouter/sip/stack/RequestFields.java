package org.screamrouter.sip.stack;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The few fields of a plain request that the stack read from its bytes without making a message of it, offered to
 * {@link SipRequestHandler#okHeaders(RequestFields)}.
 *
 * @since 1.9
 */
@ProviderType
public interface RequestFields {
    /** The request's method, in capitals ({@code OPTIONS}). */
    String method();

    /** Where the request came from. */
    Flow flow();

    /**
     * The user part of the {@code From} header's SIP URI as written ({@code %} escapes not decoded), or null when the
     * URI has none: what {@code ((SipURI) from.getAddress().getURI()).getUser()} gives for the parsed request.
     */
    String fromUser();
}
