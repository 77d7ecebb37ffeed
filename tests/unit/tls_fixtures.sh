#!/bin/sh
# Test certificates for test_tls.c, made with the openssl CLI into $1
# (never downloaded). ECDSA P-256 keys (fast), one RSA-2048 server.
#   ca.pem/.key        test CA ("strio test CA")
#   ec.pem/.key        server localhost + 127.0.0.1, EC, signed by ca
#   rsa.pem/.key       the same with RSA
#   wrong.pem/.key     server "other.example", signed by ca
#   expired.pem/.key   server localhost, valid 2020-01-01..02, signed by ca
#   self.pem/.key      self-signed localhost
#   ca2.pem/.key       another CA; untrusted.pem/.key localhost signed by it
#   client.pem/.key    client certificate "strio client", signed by ca
#   bad.pem            not PEM at all
set -eu
d=$1
cd "$d"
ec="-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
o=openssl
$o req -x509 $ec -keyout ca.key -out ca.pem -days 3650 -subj "/CN=strio test CA" \
   -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
$o req -x509 $ec -keyout ca2.key -out ca2.pem -days 3650 -subj "/CN=other CA" \
   -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' > srv.ext
printf 'subjectAltName=DNS:other.example\nbasicConstraints=CA:FALSE\n' > wrong.ext
printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' > client.ext
sign() { # name subject ca ext keyopts
    $o req -new $5 -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
    $o x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial \
       -days 3650 -out "$1.pem" -extfile "$4" 2>/dev/null
}
sign ec "/CN=localhost" ca srv.ext "$ec"
sign rsa "/CN=localhost" ca srv.ext "-newkey rsa:2048 -nodes"
sign wrong "/CN=other.example" ca wrong.ext "$ec"
sign untrusted "/CN=localhost" ca2 srv.ext "$ec"
sign client "/CN=strio client" ca client.ext "$ec"
$o req -x509 $ec -keyout self.key -out self.pem -days 3650 -subj "/CN=localhost" \
   -addext subjectAltName=DNS:localhost 2>/dev/null
# expired: openssl 3.0's x509 cannot set dates, `openssl ca` can
mkdir -p newcerts && : > index.txt && echo 01 > serial
cat > ca.cnf <<CNF
[ca]
default_ca = d
[d]
dir = .
database = index.txt
new_certs_dir = newcerts
serial = serial
default_md = sha256
policy = p
copy_extensions = none
x509_extensions = x
[p]
commonName = supplied
[x]
subjectAltName = DNS:localhost
basicConstraints = CA:FALSE
CNF
$o req -new $ec -keyout expired.key -out expired.csr -subj "/CN=localhost" 2>/dev/null
$o ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in expired.csr \
   -out expired.pem -startdate 20200101000000Z -enddate 20200102000000Z -notext 2>/dev/null
# chains as servers send them
cat ec.pem ca.pem > ec-chain.pem
echo "this is not PEM" > bad.pem
touch done
