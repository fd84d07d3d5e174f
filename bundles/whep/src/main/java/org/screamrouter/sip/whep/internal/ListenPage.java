package org.screamrouter.sip.whep.internal;

import org.osgi.service.component.annotations.Component;

/**
 * The listen page ({@code /listen/index.html?sink=<sink>}): plays a sink with a level meter, served from this bundle's
 * {@code /listen} folder through the HTTP Whiteboard. Its WHEP client, {@code /listen/whep-client.js} (plain
 * JavaScript, {@code window.WhepClient}), is the one the web console loads too. Same origin as the endpoint, so it
 * needs no CORS.
 */
@Component(service = ListenPage.class, property = {
    "osgi.http.whiteboard.resource.pattern=/listen/*",
    "osgi.http.whiteboard.resource.prefix=/listen"
})
public class ListenPage {
}
