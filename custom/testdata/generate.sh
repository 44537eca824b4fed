#!/bin/sh
# Regenerates the real-world fixtures in this directory with OpenSSL 3
# (tested with OpenSSL 3.0). Everything is valid for 100 years (36500
# days) so the fixtures do not expire. The keys are public test fixtures
# and protect nothing. The PKCS#12 and encrypted-key password is "secret".
#
# Hierarchy: root.pem (RSA 2048) -> intermediate.pem (ECDSA P-256) ->
#   leaf.pem        RSA 2048, example.com + www.example.com
#   leaf-ec.pem     ECDSA P-256, ec.example.com
#   leaf-ed25519.pem Ed25519, ed.example.com
#
# Usage: cd custom/testdata && sh generate.sh
#        sh generate.sh extra   # only the section at the end (issue 8),
#                               # which reuses the files made above
set -eu
DAYS=36500
PASS=secret
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "${1:-}" != extra ]; then

cat > "$tmp/ca.ext" <<EXT
basicConstraints=critical,CA:true
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EXT
leaf_ext() {
	cat > "$tmp/leaf.ext" <<EXT
basicConstraints=critical,CA:false
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
subjectAltName=$1
EXT
}

# Root CA (self-signed) and intermediate CA.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/root.key"
openssl req -x509 -new -key "$tmp/root.key" -subj "/O=Certs Test/CN=Certs Test Root CA" \
	-days $DAYS -sha256 -out root.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/int.key"
openssl req -new -key "$tmp/int.key" -subj "/O=Certs Test/CN=Certs Test Intermediate CA" -out "$tmp/int.csr"
openssl x509 -req -in "$tmp/int.csr" -CA root.pem -CAkey "$tmp/root.key" -CAcreateserial -CAserial "$tmp/serial.srl" \
	-days $DAYS -sha256 -extfile "$tmp/ca.ext" -out intermediate.pem

# An unrelated CA, for "unrelated certificate" tests.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/other.key"
openssl req -new -key "$tmp/other.key" -subj "/O=Elsewhere/CN=Unrelated Intermediate CA" -out "$tmp/other.csr"
openssl x509 -req -in "$tmp/other.csr" -signkey "$tmp/other.key" -days $DAYS -sha256 \
	-extfile "$tmp/ca.ext" -out "$tmp/other-root.pem"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/other-int.key"
openssl req -new -key "$tmp/other-int.key" -subj "/O=Elsewhere/CN=Unrelated Issuing CA" -out "$tmp/other-int.csr"
openssl x509 -req -in "$tmp/other-int.csr" -CA "$tmp/other-root.pem" -CAkey "$tmp/other.key" -CAcreateserial -CAserial "$tmp/serial.srl" \
	-days $DAYS -sha256 -extfile "$tmp/ca.ext" -out unrelated-intermediate.pem

# RSA leaf: PKCS#8, PKCS#1 ("RSA PRIVATE KEY") and DER keys, DER cert.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out leaf.key
openssl pkey -in leaf.key -traditional -out leaf-pkcs1.key
openssl pkey -in leaf.key -outform DER -out leaf-key.der
openssl req -new -key leaf.key -subj "/CN=example.com" -out leaf.csr
leaf_ext "DNS:example.com,DNS:www.example.com"
openssl x509 -req -in leaf.csr -CA intermediate.pem -CAkey "$tmp/int.key" -CAcreateserial -CAserial "$tmp/serial.srl" \
	-days $DAYS -sha256 -extfile "$tmp/leaf.ext" -out leaf.pem
openssl x509 -in leaf.pem -outform DER -out leaf.der

# ECDSA leaf with a SEC1 key as `openssl ecparam -genkey` writes it (an
# "EC PARAMETERS" block before the "EC PRIVATE KEY" block).
openssl ecparam -name prime256v1 -genkey -out leaf-ec-sec1.key
openssl req -new -key leaf-ec-sec1.key -subj "/CN=ec.example.com" -out "$tmp/ec.csr"
leaf_ext "DNS:ec.example.com"
openssl x509 -req -in "$tmp/ec.csr" -CA intermediate.pem -CAkey "$tmp/int.key" -CAcreateserial -CAserial "$tmp/serial.srl" \
	-days $DAYS -sha256 -extfile "$tmp/leaf.ext" -out leaf-ec.pem

# Ed25519 leaf (PKCS#8 key).
openssl genpkey -algorithm ED25519 -out leaf-ed25519.key
openssl req -new -key leaf-ed25519.key -subj "/CN=ed.example.com" -out "$tmp/ed.csr"
leaf_ext "DNS:ed.example.com"
openssl x509 -req -in "$tmp/ed.csr" -CA intermediate.pem -CAkey "$tmp/int.key" -CAcreateserial -CAserial "$tmp/serial.srl" \
	-days $DAYS -sha256 -extfile "$tmp/leaf.ext" -out leaf-ed25519.pem

# Encrypted keys: PKCS#8 ("ENCRYPTED PRIVATE KEY") and traditional
# ("RSA PRIVATE KEY" with Proc-Type: 4,ENCRYPTED).
openssl pkey -in leaf.key -aes256 -passout pass:$PASS -out leaf-encrypted-pkcs8.key
openssl pkey -in leaf.key -traditional -aes256 -passout pass:$PASS -out leaf-encrypted-traditional.key

# Chains: full chain, wrong order, duplicates plus root.
cat leaf.pem intermediate.pem > fullchain.pem
cat root.pem intermediate.pem leaf.pem > fullchain-wrong-order.pem
cat leaf.pem intermediate.pem intermediate.pem leaf.pem root.pem > fullchain-dups-root.pem
cat leaf.pem intermediate.pem unrelated-intermediate.pem > fullchain-unrelated.pem

# PKCS#12: OpenSSL 3 defaults (PBES2, PBKDF2, AES-256-CBC, SHA-256 MAC),
# legacy (RC2-40/3DES, SHA-1 MAC), and an empty password. The chain
# includes the root, as Windows exports usually do.
cat intermediate.pem root.pem > "$tmp/cas.pem"
openssl pkcs12 -export -in leaf.pem -inkey leaf.key -certfile "$tmp/cas.pem" -passout pass:$PASS -out leaf.pfx
openssl pkcs12 -export -legacy -in leaf.pem -inkey leaf.key -certfile "$tmp/cas.pem" -passout pass:$PASS -out leaf-legacy.pfx
openssl pkcs12 -export -in leaf.pem -inkey leaf.key -certfile "$tmp/cas.pem" -passout pass: -out leaf-nopass.pfx

# Not certificates: a PKCS#7 bundle (.p7b as PEM); leaf.csr above is a CSR.
openssl crl2pkcs7 -nocrl -certfile fullchain.pem -out fullchain.p7b

# `openssl pkcs12 -nodes` output: "Bag Attributes" text around the key and
# every certificate (root included) in one PEM file.
openssl pkcs12 -in leaf.pfx -nodes -passin pass:$PASS -out leaf-pfx-export.pem

# An X25519 key: valid PKCS#8, but not a signing key.
openssl genpkey -algorithm X25519 -out x25519.key

# A PKCS#12 file asking for 2,000,000 key-derivation iterations: rejected
# before decoding (a crafted file could ask for billions).
openssl pkcs12 -export -iter 2000000 -in leaf.pem -inkey leaf.key -passout pass:$PASS -out leaf-many-iterations.pfx

fi # end of the original fixtures

# ---------------------------------------------------------------------------
# Issue 8: more real-world encodings, made from leaf.pem, leaf.key,
# intermediate.pem, root.pem and leaf.pfx above.

# PKCS#12 as other tools and options write it (password "secret" unless
# said otherwise).
cat intermediate.pem root.pem > "$tmp/cas.pem"
p12() {
	out=$1
	shift
	openssl pkcs12 -export -in leaf.pem -inkey leaf.key -certfile "$tmp/cas.pem" "$@" -out "$out"
}
p12 leaf-aes128-sha512mac.pfx -passout pass:$PASS -keypbe AES-128-CBC -certpbe AES-128-CBC -macalg sha512
p12 leaf-3des-sha1mac.pfx -passout pass:$PASS -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 # Windows' TripleDES-SHA1
p12 leaf-rc2-128.pfx -legacy -passout pass:$PASS -keypbe PBE-SHA1-RC2-128 -certpbe PBE-SHA1-RC2-128
p12 leaf-pbes2-3des.pfx -passout pass:$PASS -keypbe des-ede3-cbc -certpbe des-ede3-cbc
p12 leaf-iter10000.pfx -passout pass:$PASS -iter 10000
p12 leaf-plain-certs.pfx -passout pass:$PASS -certpbe NONE
p12 leaf-nomac.pfx -passout pass:$PASS -nomac
p12 leaf-unencrypted.pfx -passout pass: -keypbe NONE -certpbe NONE -nomac
# Java 17's keytool re-encoding leaf.pfx with its defaults (PBES2,
# AES-256, HMAC-SHA-256, 10,000 iterations).
rm -f leaf-java.p12
keytool -importkeystore -noprompt -srckeystore leaf.pfx -srcstoretype PKCS12 -srcstorepass $PASS \
	-destkeystore leaf-java.p12 -deststoretype PKCS12 -deststorepass $PASS -destkeypass $PASS

# An 8192-bit RSA key (the largest accepted) with the largest exponent Go
# accepts, 2^31-1: the slowest signature checks and key parsing of the
# hostile-input corpus (BenchmarkHostileCorpus).
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:8192 -pkeyopt rsa_keygen_pubexp:2147483647 -out rsa8192-e31.key

# PEM as users paste it: with Notepad's byte-order mark (and CRLF), from a
# YAML file (indented), after a label on the same line, on one line (a
# single-line form field), and as a JSON string.
printf '\357\273\277' | cat - leaf.key > leaf-bom.key
printf '\357\273\277' | cat - fullchain.pem | sed 's/$/\r/' > fullchain-bom-crlf.pem
{
	printf 'tls:\n  crt: |\n'
	sed 's/^/    /' fullchain.pem
	printf '  key: |\n'
	sed 's/^/    /' leaf.key
} > fullchain-indented.yaml
{
	printf 'Certificate: '
	cat leaf.pem
	printf 'Intermediate certificate: '
	cat intermediate.pem
} > fullchain-labelled.txt
tr '\n' ' ' < fullchain.pem > fullchain-oneline.txt
awk 'BEGIN { printf "{\"certificate\": \"" } { printf "%s\\n", $0 } END { print "\"}" }' fullchain.pem > fullchain.json

# Certificates that current clients refuse, for ../../validate/testdata:
# a hierarchy of RSA CAs (SHA-1 and MD5 need RSA) and ECDSA leaves for
# legacy.example.com.
cat > "$tmp/ca.ext" <<EXT
basicConstraints=critical,CA:true
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EXT
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/lroot.key"
openssl req -x509 -new -key "$tmp/lroot.key" -subj "/O=Certs Test/CN=Certs Legacy Test Root CA" -days $DAYS -sha256 -out legacy-root.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/lint.key"
openssl req -new -key "$tmp/lint.key" -subj "/O=Certs Test/CN=Certs Legacy Test Intermediate CA" -out "$tmp/lint.csr"
openssl x509 -req -in "$tmp/lint.csr" -CA legacy-root.pem -CAkey "$tmp/lroot.key" -CAcreateserial -CAserial "$tmp/serial.srl" \
	-days $DAYS -sha256 -extfile "$tmp/ca.ext" -out legacy-intermediate.pem
openssl x509 -req -in "$tmp/lint.csr" -CA legacy-root.pem -CAkey "$tmp/lroot.key" -CAserial "$tmp/serial.srl" \
	-days $DAYS -sha1 -extfile "$tmp/ca.ext" -out legacy-intermediate-sha1.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out legacy-leaf.key
openssl req -new -key legacy-leaf.key -subj "/CN=legacy.example.com" -out "$tmp/lleaf.csr"
legacy_leaf() { # out, digest, extendedKeyUsage, subjectAltName line or ""
	printf 'basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n%s\n' "$3" "$4" > "$tmp/lleaf.ext"
	openssl x509 -req -in "$tmp/lleaf.csr" -CA legacy-intermediate.pem -CAkey "$tmp/lint.key" -CAserial "$tmp/serial.srl" \
		-days $DAYS "-$2" -extfile "$tmp/lleaf.ext" -out "$1"
}
san="subjectAltName=DNS:legacy.example.com"
legacy_leaf legacy-leaf.pem sha256 serverAuth "$san"          # the control: clients accept it
legacy_leaf legacy-leaf-cn-only.pem sha256 serverAuth ""       # no subjectAltName
legacy_leaf legacy-leaf-client-auth.pem sha256 clientAuth "$san"
legacy_leaf legacy-leaf-sha1.pem sha1 serverAuth "$san"
legacy_leaf legacy-leaf-md5.pem md5 serverAuth "$san"
mkdir -p ../../validate/testdata
cp legacy-root.pem legacy-intermediate.pem legacy-intermediate-sha1.pem legacy-leaf.key legacy-leaf.pem \
	legacy-leaf-cn-only.pem legacy-leaf-client-auth.pem legacy-leaf-sha1.pem legacy-leaf-md5.pem ../../validate/testdata/
rm legacy-root.pem legacy-intermediate.pem legacy-intermediate-sha1.pem legacy-leaf.key legacy-leaf.pem \
	legacy-leaf-cn-only.pem legacy-leaf-client-auth.pem legacy-leaf-sha1.pem legacy-leaf-md5.pem
