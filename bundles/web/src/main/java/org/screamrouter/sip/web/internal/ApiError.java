package org.screamrouter.sip.web.internal;

/**
 * A request the API refuses: the status and the message of its JSON body ({@code {"error": "..."}}), and for 405 the
 * methods the resource allows. Thrown by the routing and the handlers, answered by {@link ApiServlet}; never a stack trace.
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String allow;

    ApiError(int status, String message) {
        this(status, message, null);
    }

    ApiError(int status, String message, String allow) {
        super(message, null, false, false);
        this.status = status;
        this.allow = allow;
    }

    int status() {
        return status;
    }

    /** The Allow header of a 405, else null. */
    String allow() {
        return allow;
    }
}
