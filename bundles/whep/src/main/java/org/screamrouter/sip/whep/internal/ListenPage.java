package org.screamrouter.sip.whep.internal;

import org.osgi.service.component.annotations.Component;

/**
 * The listen page ({@code /listen/?sink=<sink>}): a WHEP client in plain JavaScript that plays a sink with a level
 * meter, served from this bundle's {@code /listen} folder through the HTTP Whiteboard. Same origin as the endpoint, so
 * it needs no CORS.
 */
@Component(service = ListenPage.class, property = {
    "osgi.http.whiteboard.resource.pattern=/listen/*",
    "osgi.http.whiteboard.resource.prefix=/listen"
})
public class ListenPage {
}
