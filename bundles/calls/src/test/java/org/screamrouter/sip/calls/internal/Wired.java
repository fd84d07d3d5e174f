package org.screamrouter.sip.calls.internal;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.header.HeaderFactory;
import org.screamrouter.sip.audio.AudioBridge;
import org.screamrouter.sip.auth.SipAuthenticator;
import org.screamrouter.sip.stack.SipExchange;
import org.screamrouter.sip.testsupport.RecordingSender;
import org.screamrouter.sip.testsupport.TestMessages;

/**
 * The calls' collaborators put together as the component does, each on the fakes of {@link Harness}: a test of one of
 * them reaches the others only through what they send, answer and ask of the bridge.
 */
final class Wired {
    final Harness.ManualScheduler scheduler = new Harness.ManualScheduler();
    final RecordingSender sender = new RecordingSender();
    final Harness.FakeBridge bridge = new Harness.FakeBridge();
    final CallTable table = new CallTable();
    final DialogMessages dialogs = new DialogMessages(TestMessages.MESSAGES, t -> null);
    final HeaderFactory headers = TestMessages.MESSAGES.headers();
    volatile CallsConfig config = Harness.DEFAULTS;
    final FinalResponses finals;
    final Teardown teardown;
    final Trickle trickle;
    final Answerer answerer;
    final InDialog inDialog;
    final CallSetup setup;

    /** What {@link CallSetup.Services} gives: the test changes them. */
    volatile SipAuthenticator authenticator = OPEN;
    volatile AudioBridge current = bridge;
    final Map<String, Sink> sinks = new ConcurrentHashMap<>(Map.of("kitchen", Harness.KITCHEN, "office", new Sink("office", null, false)));

    Wired() {
        Teardown[] ending = new Teardown[1];
        finals = new FinalResponses(scheduler, () -> config.t1_ms(), (call, r) -> ending[0].noAck(call, r));
        teardown = new Teardown(table, dialogs, finals, sender, scheduler, () -> config);
        ending[0] = teardown;
        trickle = new Trickle(dialogs, headers, sender, scheduler, () -> config);
        answerer = new Answerer(dialogs, headers, finals, teardown, trickle, scheduler, () -> config);
        inDialog = new InDialog(table, dialogs, headers, finals, teardown, trickle, scheduler);
        setup = new CallSetup(table, new Admission(table), dialogs, headers, answerer, new CallSetup.Services() {
            @Override public SipAuthenticator authenticator() { return authenticator; }
            @Override public AudioBridge bridge() { return current; }
            @Override public Optional<Sink> sink(String target) { return Optional.ofNullable(target).map(sinks::get); }
        }, () -> config);
    }

    static final SipAuthenticator OPEN = new SipAuthenticator() {
        @Override public Outcome authenticate(SipExchange exchange) { return Outcome.open(); }
        @Override public boolean owns(String user, String addressOfRecord) { return true; }
    };

    /** A call in the table in this phase, as its INVITE made it. */
    Call call(String callId, String transport, org.screamrouter.sip.calls.CallInfo.Kind kind, Call.Phase phase) {
        Call call = Harness.call(dialogs, callId, transport, kind, bridge);
        call.phase = phase;
        table.add(call);
        return call;
    }
}
