package org.screamrouter.sip.config.internal;

/** config.yaml cannot be read as ScreamRouter's configuration; the message names the line and column when known. */
final class ConfigParseException extends Exception {
    private static final long serialVersionUID = 1L;

    ConfigParseException(String message, Throwable cause) {
        super(message, cause);
    }
}
