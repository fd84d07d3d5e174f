package org.screamrouter.sip.registrar.internal;

import javax.sip.message.Request;
import javax.sip.message.Response;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.stack.SipMessages;
import org.screamrouter.sip.stack.SipRequestHandler;
import org.screamrouter.sip.stack.SipStackStatus;

/**
 * OPTIONS to the server (RFC 3261 11.2): 200 with what it serves right now ({@code Allow}), the bodies it
 * reads ({@code Accept}) and the extensions it supports ({@code Supported}). Devices use it as keep-alive.
 */
@Component(service = SipRequestHandler.class, property = SipRequestHandler.METHOD + "=" + Request.OPTIONS)
public final class OptionsHandler implements SipRequestHandler {
    private final SipMessages messages;
    private final SipStackStatus status;

    @Activate
    public OptionsHandler(@Reference SipMessages messages, @Reference SipStackStatus status) {
        this.messages = messages;
        this.status = status;
    }

    @Override
    public void handle(SipExchange exchange) throws Exception {
        Response response = exchange.createResponse(Response.OK);
        response.setHeader(messages.headers().createAllowHeader(String.join(", ", status.servedMethods())));
        response.setHeader(messages.headers().createAcceptHeader("application", "sdp"));
        response.setHeader(messages.headers().createSupportedHeader(String.join(", ", RegistrarComponent.SUPPORTED)));
        exchange.respond(response);
    }
}
