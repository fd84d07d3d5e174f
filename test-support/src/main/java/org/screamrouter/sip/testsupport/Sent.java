package org.screamrouter.sip.testsupport;

import java.text.ParseException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import javax.sip.header.CSeqHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.screamrouter.sip.stack.Flow;

/**
 * A request a component sent ({@link RecordingSender}, {@link RecordingClient}) and its answer, which the test gives.
 *
 * @param timeout the deadline the sender was given, null when it named none
 */
public record Sent(Request request, Flow flow, Duration timeout, CompletableFuture<Response> answer) {
    /** Answers the request with a response of this status, as the peer would. */
    public void answer(int status) {
        try {
            answer.complete(TestMessages.MESSAGES.messages().createResponse(status, request));
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    public String method() {
        return request.getMethod();
    }

    /** The value of one of the request's headers, or null. */
    public String header(String name) {
        return TestMessages.header(request, name);
    }

    /** The request's body as text, or null. */
    public String body() {
        return TestMessages.body(request);
    }

    public long cseq() {
        return ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber();
    }
}
