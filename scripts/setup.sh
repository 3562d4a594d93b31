#!/bin/sh
# Sets up at-scenario on Debian or Ubuntu: the system packages its scenarios and tests use, the npm
# packages, the build, and a .env that points ${env.PYTHON} at a Python with `websockets`.
set -eu
cd "$(dirname "$0")/.."

# socat: pseudo-terminals for `at-scenario sim --pty` and the tests.
# python3-websockets: the doc's echo servers (PyPI may be out of reach; Debian's package is enough).
# ser2net: remote serial ports (tcp:// and rfc2217://) in the tests.
# python3-pexpect: the pyserial + pexpect peer of `npm run bench`.
# libxml2-utils: xmllint, with which the tests check JUnit reports against Jenkins' XSD.
# python3-serial: pyserial, the plain serial client the tests point at `at-scenario sim --pty`.
# openssl: scenarios/pki/make-pki.sh, to remake the simulator's test PKI.
# python3-labgrid: labgrid's own code, against which the tests check how at-scenario reads a labgrid
#   environment file, and its client's errors (Debian's 0.4.x; its coordinator needs crossbar).
# mosquitto: the MQTT broker of the MQTT examples (scenarios/servers/mqtt-broker.py starts it on
# the scenario's address and port); its system service is not wanted (see below).
# tmux: a real terminal for the end-to-end test of `at-scenario record-session`.
# chromium: the tests open the HTML report in headless Chromium (driven by playwright-core, which
#   downloads no browser of its own).
packages="socat python3-websockets ser2net libxml2-utils python3-serial python3-pexpect openssl python3-labgrid mosquitto tmux chromium"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing Debian packages:$missing"
  # shellcheck disable=SC2086
  $sudo apt-get install -y -qq $missing >/dev/null 2>&1 || {
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq $missing
  }
  # Debian starts a system broker on port 1883 when the package is installed; the scenarios and
  # tests start their own on the ports they choose, so the one we just installed is switched off.
  case " $missing " in
    *" mosquitto "*)
      if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled mosquitto >/dev/null 2>&1; then
        $sudo systemctl disable --now mosquitto >/dev/null 2>&1 || true
        echo "Disabled the mosquitto system service (the scenarios start their own broker)"
      fi
      ;;
  esac
fi

npm ci --no-audit --no-fund
npm run build

# Scenarios start their servers with ${env.PYTHON:-python3}. Where `python3` on PATH lacks
# websockets but Debian's interpreter has it, record that choice in .env (at-scenario reads it;
# the real environment wins).
if ! python3 -c 'import websockets' >/dev/null 2>&1 && /usr/bin/python3 -c 'import websockets' >/dev/null 2>&1; then
  if ! grep -q '^PYTHON=' .env 2>/dev/null; then
    echo 'PYTHON=/usr/bin/python3' >> .env
    echo "Wrote PYTHON=/usr/bin/python3 to .env (python3 on PATH has no websockets module)"
  fi
fi
echo "at-scenario is ready: npx at-scenario scenarios/tcp-echo.yaml"
