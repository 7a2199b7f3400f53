# Sourced by the benchmark scripts: signs in as the demo admin of a console
# started in demo mode (its standard output in $1, its URL in $2) and prints
# the session cookie (name=value).
demo_cookie() {
  local out=$1 base=$2 password
  for _ in $(seq 1 200); do grep -q "^  admin   password " "$out" && break; sleep 0.1; done
  password=$(sed -n 's/^  admin *password \([^ ]*\).*/\1/p' "$out" | tail -1)
  curl -fs -D - -o /dev/null -H "Origin: $base" -H "Accept: application/json" \
    --data-urlencode "input[name]=admin" --data-urlencode "input[password]=$password" \
    "$base/api/auth/sign-in" | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' | head -1
}
