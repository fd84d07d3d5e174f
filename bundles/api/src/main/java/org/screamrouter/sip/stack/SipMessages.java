package org.screamrouter.sip.stack;

import javax.sip.address.AddressFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import org.osgi.annotation.versioning.ProviderType;

/** The one SIP message factory of the server: every bundle builds its messages, headers and addresses here. */
@ProviderType
public interface SipMessages {
    MessageFactory messages();

    HeaderFactory headers();

    AddressFactory addresses();
}
