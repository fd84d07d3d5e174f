package org.screamrouter.sip.config;

import java.net.URI;
import java.time.Instant;

/**
 * How device changes reach a running ScreamRouter through its HTTP API ({@code screamrouter.url} of PID
 * {@code org.screamrouter.sip.config}; docs/screamrouter.md, "Pushing to a running ScreamRouter").
 *
 * @param url       the API's base URL as used
 * @param up        whether changes go to the API now; {@code false}: ScreamRouter did not answer, changes go to
 *                  config.yaml and the API is probed until it answers, then every device's state is pushed
 * @param downSince when the API was last found down, or {@code null} while it is up
 * @param lastError the last failure (unreachable, or ScreamRouter's own error message), or {@code null}
 * @param lastPush  when a change was last accepted by the API, or {@code null}
 * @param pushes    changes the API accepted since start
 * @param refused   changes ScreamRouter answered with an error (after the bounded retries) since start
 */
public record ScreamRouterApiStatus(URI url, boolean up, Instant downSince, String lastError, Instant lastPush,
                                    long pushes, long refused) {
}
