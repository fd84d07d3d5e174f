package org.screamrouter.sip.registrar;

import java.time.Duration;

/** The answer to an OPTIONS ping of a device: its status line and the round-trip time. */
public record PingResult(int status, String reason, Duration roundTrip) {}
