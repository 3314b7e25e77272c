/** sip.conf / extensions.conf of the presence tests (the observed Asterisk setup, §4 of the reference). */
export function sipConf(port: number, extraGeneral = '', extraPeers = ''): string {
  return `[general]
context=default
bindaddr=127.0.0.1
bindport=${port}
allowguest=no
alwaysauthreject=yes
allowsubscribe=yes
subscribecontext=from-internal
useragent=herald-test
${extraGeneral}

[2000]
type=friend
host=dynamic
secret=2000pass
context=from-internal
mailbox=2000@default

[6002]
type=friend
host=dynamic
secret=6002pass
context=from-internal
mailbox=6002@default
${extraPeers}
`;
}

export const EXTENSIONS_CONF = `[from-internal]
exten => 2000,hint,SIP/2000,CustomPresence:2000
exten => 2000,1,NoOp()
exten => 6002,hint,SIP/6002,CustomPresence:6002
exten => 6002,1,NoOp()
exten => 7000,1,NoOp()
`;
