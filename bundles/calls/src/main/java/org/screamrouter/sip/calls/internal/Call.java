package org.screamrouter.sip.calls.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import javax.sip.address.Address;
import javax.sip.address.URI;
import javax.sip.message.Response;
import org.screamrouter.sip.audio.AudioBridge;
import org.screamrouter.sip.calls.CallInfo;
import org.screamrouter.sip.stack.Flow;
import org.screamrouter.sip.stack.SipExchange;

/**
 * One INVITE dialog (RFC 3261 section 12) on the server (UAS) side: the dialog value ({@link DialogMessages#newCall}
 * takes it from the INVITE) and where the call is. Its fields change under the call's own lock: the stack's threads
 * (ACK, BYE, CANCEL, INFO), the engine's callbacks and the timers (both on the {@link CallScheduler}) all touch it.
 */
final class Call {
    /** Where the dialog is; only PROCEEDING to CONFIRMED and ENDING are listed as calls. */
    enum Phase { PROCEEDING, ANSWERED, CONFIRMED, ENDING, REJECTED, ENDED }

    final String callId;
    final Sink sink;
    final Flow flow;
    final CallInfo.Kind kind;
    /** The bridge that carries this call's media, from its INVITE to its end (another may serve new calls meanwhile). */
    final AudioBridge bridge;
    final Instant started = Instant.now();
    final SipExchange invite;
    final String inviteBranch;
    final long inviteCSeq;
    final String localTag;
    final String remoteTag;
    /** The INVITE's To (our identity in the dialog, without tag) and From (the peer's). */
    final Address localAddress;
    final Address remoteAddress;
    /** Where in-dialog requests are addressed (the Request-URI; they are sent to {@link #flow} whatever it says). */
    final URI remoteTarget;
    /** The INVITE's Record-Route values in order: the UAS's route set (RFC 3261 12.1.1). */
    final List<Address> routeSet;

    Phase phase = Phase.PROCEEDING;
    /** A final response being retransmitted until its ACK (RFC 3261 13.3.1.4, 17.2.1). */
    Response awaitingAck;
    SipExchange awaitingAckExchange;
    long awaitingAckCSeq;
    Future<?> retransmission;
    Future<?> deadline;
    long localCSeq;
    long remoteCSeq;
    String answerSdp;
    String media = "";
    /** For trickle INFO: our ICE credentials and media id from the answer. */
    String iceUfrag;
    String icePwd;
    String mid = "0";
    final List<String> pendingCandidates = new ArrayList<>();
    /** The candidates the answer carried: the engine reports them too, they are not sent again in INFO. */
    final java.util.Set<org.screamrouter.sip.sdp.Candidate> answeredCandidates = new java.util.HashSet<>();
    boolean pendingEndOfCandidates;
    boolean infoInFlight;

    Call(String callId, Sink sink, Flow flow, CallInfo.Kind kind, AudioBridge bridge, SipExchange invite, String inviteBranch, long inviteCSeq,
            String localTag, String remoteTag, Address localAddress, Address remoteAddress, URI remoteTarget,
            List<Address> routeSet) {
        this.callId = callId;
        this.sink = sink;
        this.flow = flow;
        this.kind = kind;
        this.bridge = bridge;
        this.invite = invite;
        this.inviteBranch = inviteBranch;
        this.inviteCSeq = inviteCSeq;
        this.remoteCSeq = inviteCSeq;
        this.localTag = localTag;
        this.remoteTag = remoteTag;
        this.localAddress = localAddress;
        this.remoteAddress = remoteAddress;
        this.remoteTarget = remoteTarget;
        this.routeSet = List.copyOf(routeSet);
    }

    /** The state as the API lists it, or null when the call is over (rejected, ended). */
    synchronized CallInfo.State listedState() {
        return switch (phase) {
            case PROCEEDING -> CallInfo.State.PROCEEDING;
            case ANSWERED -> CallInfo.State.ANSWERED;
            case CONFIRMED -> CallInfo.State.CONFIRMED;
            case ENDING -> CallInfo.State.ENDING;
            default -> null;
        };
    }

    synchronized void cancelTimers() {
        cancelRetransmission();
        cancelDeadline();
    }

    /** The final response is no longer resent ({@link FinalResponses}). */
    synchronized void cancelRetransmission() {
        if (retransmission != null) {
            retransmission.cancel(false);
            retransmission = null;
        }
    }

    /** The answer deadline no longer runs ({@link Answerer}). */
    synchronized void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
