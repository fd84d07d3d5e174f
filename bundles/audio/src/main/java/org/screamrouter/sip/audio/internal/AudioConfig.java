package org.screamrouter.sip.audio.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@code org.screamrouter.sip.audio}. */
@ObjectClassDefinition(id = AudioConfig.PID, name = "ScreamRouter SIP audio bridge",
        description = "Sink inputs (Scream over UDP), the test tone, WebRTC ICE servers and media ports")
public @interface AudioConfig {
    String PID = "org.screamrouter.sip.audio";

    @AttributeDefinition(name = "Sinks", description = "One entry per sink with an input: name:port or name:port:toneHz "
            + "(port 0: no Scream input, tone or silence only). Listeners of a sink not listed get silence or the tone.")
    String[] sinks() default {};

    @AttributeDefinition(name = "Input address", description = "IP literal the Scream receivers bind to")
    String input_address() default "0.0.0.0";

    @AttributeDefinition(name = "Test tone", description = "auto: while a sink's input is silent; on: always; off: never")
    String test_tone() default "auto";

    @AttributeDefinition(name = "Test tone frequency (Hz)", description = "For sinks that name no frequency of their own")
    double test_tone_frequency() default 440;

    @AttributeDefinition(name = "ICE servers", description = "url or url|username|password (IP literals); none: LAN only")
    String[] ice_servers() default {};

    @AttributeDefinition(name = "Media port minimum", description = "Lowest local UDP port for RTP and WebRTC media (0: any)", min = "0", max = "65535")
    int media_port_min() default 40000;

    @AttributeDefinition(name = "Media port maximum", min = "0", max = "65535")
    int media_port_max() default 40999;

    @AttributeDefinition(name = "Connectivity timeout (s)", description = "A WebRTC listener without connectivity this long is dropped", min = "1")
    int connectivity_timeout() default 30;

    @AttributeDefinition(name = "RTP liveness timeout (ms)", description = "A started RTP listener whose peer sent nothing "
            + "(RTP or RTCP) to its port for this long is dropped and its call ended: media never flow for long to an address "
            + "that does not answer (a forged one). 0: never", min = "0")
    int rtp_liveness_timeout_ms() default 30000;

    @AttributeDefinition(name = "ICE gathering wait (ms)", description = "The answer waits this long at most for every local candidate", min = "0")
    int ice_gathering_timeout_ms() default 2000;

    @AttributeDefinition(name = "Answer after the first candidate (ms)", description = "Once the first local candidate is found, "
            + "the answer goes out this much later with the candidates found by then, without waiting for the end of gathering "
            + "(libwebrtc finds the UDP host candidates together and goes on in steps about 50 ms apart); the rest follow by "
            + "trickle ICE. -1: wait for the end of gathering (at most the gathering wait)", min = "-1")
    int ice_answer_after_first_candidate_ms() default 10;

    @AttributeDefinition(name = "Opus bitrate (bit/s)", description = "ScreamRouter's sender uses 512000 (libwebrtc caps it at 510000)", min = "6000")
    int opus_bitrate() default 512000;

    @AttributeDefinition(name = "Opus frame (ms)", description = "10, 20, 40 or 60 (ScreamRouter's 2.5 ms is below libwebrtc's smallest)")
    int opus_frame_ms() default 10;

    @AttributeDefinition(name = "WebRTC", description = "Load the native WebRTC engine (off: RTP listeners only)")
    boolean webrtc_enabled() default true;
}
