package org.screamrouter.sip.stack;

import static org.assertj.core.api.Assertions.assertThat;

import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.message.MessageFactoryImpl;
import java.util.ArrayList;
import java.util.List;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.header.CSeqHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.RouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import org.junit.jupiter.api.Test;

/** The one in-dialog request builder (issue 16 item 6): presence's NOTIFY and the calls' BYE and INFO came from two copies. */
class SipDialogTest {
    private static final AddressFactory ADDRESSES = new AddressFactoryImpl();
    private static final SipMessages MESSAGES = new SipMessages() {
        private final MessageFactory messages = new MessageFactoryImpl();
        private final HeaderFactory headers = new HeaderFactoryImpl();

        @Override public MessageFactory messages() { return messages; }

        @Override public HeaderFactory headers() { return headers; }

        @Override public AddressFactory addresses() { return ADDRESSES; }
    };

    @Test
    void aRequestCarriesTheDialogsTargetTagsCallIdCSeqAndRouteSetInOrder() throws Exception {
        Address local = ADDRESSES.createAddress("<sip:kitchen@192.0.2.1>");
        Address remote = ADDRESSES.createAddress("<sip:phone@192.0.2.9>");
        List<Address> routes = new ArrayList<>(List.of(ADDRESSES.createAddress("<sip:p1.example;lr>"),
                ADDRESSES.createAddress("<sip:p2.example;lr>")));
        SipDialog dialog = new SipDialog("call-1", local, "ours", remote, "theirs", ADDRESSES.createURI("sip:phone@192.0.2.9:5070"), routes);
        routes.clear(); // the dialog keeps its own route set

        Request bye = dialog.request(MESSAGES, Request.BYE, 7);
        assertThat(bye.getRequestURI().toString()).isEqualTo("sip:phone@192.0.2.9:5070");
        assertThat(bye.getMethod()).isEqualTo(Request.BYE);
        assertThat(((CSeqHeader) bye.getHeader(CSeqHeader.NAME)).getSeqNumber()).isEqualTo(7);
        assertThat(((CSeqHeader) bye.getHeader(CSeqHeader.NAME)).getMethod()).isEqualTo(Request.BYE);
        assertThat(((FromHeader) bye.getHeader(FromHeader.NAME)).getTag()).isEqualTo("ours");
        assertThat(((ToHeader) bye.getHeader(ToHeader.NAME)).getTag()).isEqualTo("theirs");
        assertThat(bye.getHeader("Call-ID").toString()).contains("call-1");
        List<String> route = new ArrayList<>();
        bye.getHeaders(RouteHeader.NAME).forEachRemaining(r -> route.add(((RouteHeader) r).getAddress().getURI().toString()));
        assertThat(route).containsExactly("sip:p1.example;lr", "sip:p2.example;lr");
        assertThat(bye.getHeader("Max-Forwards").toString()).contains("70");

        // each request has its own copies: changing one changes neither the dialog nor the next request
        ((FromHeader) bye.getHeader(FromHeader.NAME)).getAddress().setDisplayName("changed");
        assertThat(dialog.request(MESSAGES, Request.INFO, 8).getHeader(FromHeader.NAME).toString()).doesNotContain("changed");
    }
}
