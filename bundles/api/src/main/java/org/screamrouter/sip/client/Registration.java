package org.screamrouter.sip.client;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;
import org.screamrouter.sip.stack.Flow;

/**
 * A binding the registrar accepted (RFC 3261 10.2): what it granted, and what a refresh or an unregister
 * needs to reuse (Call-ID, the next CSeq, the last digest challenge).
 */
@ProviderType
public interface Registration {
    Flow registrar();

    /** The address-of-record (To and From). */
    String addressOfRecord();

    /** The contact this registration binds. */
    String contact();

    String callId();

    /** The expiry the registrar granted for this contact, in seconds (0 after an unregister). */
    int grantedExpires();

    /** Every Contact the registrar returned in its 200 OK, as written (with parameters). */
    List<String> contacts();

    /** The 200 OK that granted it. */
    SipReply reply();
}
