package org.screamrouter.sip.jainsip;

import gov.nist.core.ServerLogger;
import gov.nist.javax.sip.message.SIPMessage;
import java.util.Properties;
import javax.sip.SipStack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes the JAIN-SIP message log ({@code gov.nist.javax.sip.SERVER_LOGGER}) to SLF4J at TRACE: every
 * message on the wire, only when that level is on, so it costs nothing otherwise.
 */
public final class Slf4jServerLogger implements ServerLogger {
    private final Logger log = LoggerFactory.getLogger("org.screamrouter.sip.wire");

    @Override public void closeLogFile() { /* no file */ }

    @Override public void logMessage(SIPMessage message, String from, String to, boolean sender, long time) {
        if (log.isTraceEnabled()) log.trace("{} {} -> {}\n{}", sender ? "sent" : "received", from, to, message);
    }

    @Override public void logMessage(SIPMessage message, String from, String to, String status, boolean sender, long time) {
        logMessage(message, from, to, sender, time);
    }

    @Override public void logMessage(SIPMessage message, String from, String to, String status, boolean sender) {
        logMessage(message, from, to, sender, 0L);
    }

    @Override public void logException(Exception e) { log.warn("JAIN-SIP message log exception", e); }
    @Override public void setStackProperties(Properties properties) { /* nothing to read */ }
    @Override public void setSipStack(SipStack stack) { /* not needed */ }
}
