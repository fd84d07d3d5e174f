package org.screamrouter.sip.jainsip;

import gov.nist.core.StackLogger;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes the JAIN-SIP stack's own log (configured with {@code gov.nist.javax.sip.STACK_LOGGER}) to SLF4J,
 * so the stack needs no log4j 1.x at run time. The stack asks {@link #isLoggingEnabled(int)} before building
 * expensive messages, so that answer follows the SLF4J level. JAIN-SIP's INFO is per message ("Setting
 * SIPMessage peerPacketSource ..."), so it goes to DEBUG: INFO in this server means a state change.
 */
public final class Slf4jStackLogger implements StackLogger {
    private final Logger log = LoggerFactory.getLogger("gov.nist.javax.sip");

    @Override public void logStackTrace() { logStackTrace(TRACE_DEBUG); }

    @Override public void logStackTrace(int level) {
        if (isLoggingEnabled(level)) {
            log.debug("stack trace", new Throwable("stack trace requested by JAIN-SIP"));
        }
    }

    @Override public int getLineCount() { return 0; }
    @Override public void logException(Throwable t) { log.error("JAIN-SIP exception", t); }
    @Override public void logDebug(String message) { log.debug(message); }
    @Override public void logDebug(String message, Exception e) { log.debug(message, e); }
    @Override public void logTrace(String message) { log.trace(message); }
    @Override public void logFatalError(String message) { log.error(message); }
    @Override public void logError(String message) { log.error(message); }
    @Override public void logError(String message, Exception e) { log.error(message, e); }
    @Override public void logWarning(String message) { log.warn(message); }
    @Override public void logInfo(String message) { log.debug(message); }
    @Override public boolean isLoggingEnabled() { return log.isWarnEnabled(); }

    /**
     * JAIN-SIP asks this some twenty times per message; asking the backend each time was 4% of the CPU under sipp
     * (issue 15). The answer is the backend's level read again at most every {@value #LEVEL_READ_NANOS} ns (checked
     * every {@value #CALLS_PER_CLOCK_READ} calls), so a level set with {@code log:set} reaches JAIN-SIP's own log within
     * a second and a few messages.
     */
    @Override public boolean isLoggingEnabled(int level) {
        if ((++calls & (CALLS_PER_CLOCK_READ - 1)) == 0 || levels == null) {
            long now = System.nanoTime();
            if (levels == null || now - levelsRead > LEVEL_READ_NANOS) {
                levels = new boolean[] {log.isTraceEnabled(), log.isDebugEnabled(), log.isWarnEnabled(), log.isErrorEnabled()};
                levelsRead = now;
            }
        }
        boolean[] l = levels;
        if (level >= TRACE_TRACE) return l[0];
        if (level >= TRACE_INFO) return l[1];
        if (level >= TRACE_WARN) return l[2];
        return l[3];
    }

    private static final long LEVEL_READ_NANOS = 1_000_000_000L;
    private static final int CALLS_PER_CLOCK_READ = 64;
    /** trace, debug, warn, error enabled, as last read; a racy counter and snapshot are enough for a log level. */
    private volatile boolean[] levels;
    private volatile long levelsRead;
    private int calls;

    @Override public void disableLogging() { /* levels belong to the logging backend */ }
    @Override public void enableLogging() { /* levels belong to the logging backend */ }
    @Override public void setBuildTimeStamp(String timeStamp) { log.debug("JAIN-SIP build {}", timeStamp); }
    @Override public void setStackProperties(Properties properties) { /* nothing to read */ }
    @Override public String getLoggerName() { return log.getName(); }
}
