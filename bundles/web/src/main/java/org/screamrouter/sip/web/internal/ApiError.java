package org.screamrouter.sip.web.internal;

/**
 * A request the API refuses: the status and the message of its JSON body ({@code {"error": "..."}}), and a header that
 * goes with it (405's {@code Allow}, 429's {@code Retry-After}). Thrown by the routing and the handlers, answered by
 * {@link ApiServlet}; never a stack trace.
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String header;
    private final String value;

    ApiError(int status, String message) {
        this(status, message, null, null);
    }

    ApiError(int status, String message, String header, String value) {
        super(message, null, false, false);
        this.status = status;
        this.header = header;
        this.value = value;
    }

    int status() {
        return status;
    }

    /** The name of the header that goes with the answer, else null. */
    String header() {
        return header;
    }

    /** Its value. */
    String headerValue() {
        return value;
    }
}
