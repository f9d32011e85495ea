"""A real FTP or FTPS server for the pull tests: pyftpdlib (Debian's python3-pyftpdlib),
run with /usr/bin/python3. `python3 -m pyftpdlib` has no TLS options, hence this script.

  ftp-server.py --root DIR --user U --password P [--cert FILE --key FILE] [--write-limit BYTES_PER_S]

Listens on 127.0.0.1, on a free port, and prints `port <n>` once it accepts connections.
With --cert/--key it is an FTPS server (explicit TLS, AUTH TLS) that requires TLS on the
control and data connections; --write-limit slows downloads (to kill a pull mid-file).
"""
import argparse
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler, ThrottledDTPHandler, TLS_DTPHandler, TLS_FTPHandler
from pyftpdlib.servers import FTPServer

parser = argparse.ArgumentParser()
parser.add_argument('--root', required=True)
parser.add_argument('--user', required=True)
parser.add_argument('--password', required=True)
parser.add_argument('--cert')
parser.add_argument('--key')
parser.add_argument('--write-limit', type=int, default=0)
args = parser.parse_args()

authorizer = DummyAuthorizer()
authorizer.add_user(args.user, args.password, args.root, perm='elradfmwMT')

if args.cert:
    class Handler(TLS_FTPHandler):
        pass
    Handler.certfile = args.cert
    Handler.keyfile = args.key
    Handler.tls_control_required = True
    Handler.tls_data_required = True
    # pyftpdlib 1.5 closes a data connection that turns readable before its transfer
    # command (MLSD, RETR) arrives, taking it for a disconnect; an FTPS client sends its
    # TLS ClientHello right after connecting, so the server would drop every other data
    # connection. Here an early data connection waits for its command instead.
    class DataHandler(TLS_DTPHandler):
        def readable(self):
            if not self.receive and not self._initialized:
                return self._ssl_accepting or self._ssl_want_read
            return super().readable()
    Handler.dtp_handler = DataHandler
else:
    class Handler(FTPHandler):
        pass
    if args.write_limit:
        class Throttled(ThrottledDTPHandler):
            pass
        Throttled.write_limit = args.write_limit
        Handler.dtp_handler = Throttled

Handler.authorizer = authorizer
Handler.banner = 'lockstep test ftp'
# A failed login answers at once (pyftpdlib waits 3 s by default), to keep the tests short.
Handler.auth_failed_timeout = 0.1

server = FTPServer(('127.0.0.1', 0), Handler)
print('port %d' % server.socket.getsockname()[1], flush=True)
sys.stdout.flush()
server.serve_forever(timeout=0.5)
