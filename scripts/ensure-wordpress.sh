#!/usr/bin/env bash
# A real WordPress for the WordPress sink's tests (issue 14 point 14), on loopback only:
#   Debian's `wordpress` package (6.1) with php-cli and php-mysql (installed with apt-get when
#   missing), a MariaDB database on the local server (root over its socket), a host config for
#   127.0.0.1, an admin user with an application password (WP_ENVIRONMENT_TYPE=local allows them
#   over plain HTTP), served by PHP's built-in server on 127.0.0.1:$COPYDESK_WP_PORT (18765).
# Idempotent: a second run reuses the database, the install, the password and a running server.
# Prints, on stdout, the variables the tests read (eval "$(scripts/ensure-wordpress.sh)"):
#   COPYDESK_WP_REAL_URL, COPYDESK_WP_REAL_USER, COPYDESK_WP_REAL_PASSWORD.
# Everything else goes to stderr. Stop the server with: kill "$(cat $STATE/php.pid)".
set -euo pipefail

port="${COPYDESK_WP_PORT:-18765}"
host="127.0.0.1"
state="${COPYDESK_WP_STATE:-/var/tmp/copydesk-wordpress}"
db="copydesk_wp"
db_user="copydesk_wp"
wp_root="/usr/share/wordpress"
say() { echo "ensure-wordpress: $*" >&2; }

# 1. Packages.
missing=()
for pkg in wordpress php-cli php-mysql; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    say "missing packages: ${missing[*]}; install them with: apt-get install --no-install-recommends ${missing[*]}"
    exit 1
  fi
  say "installing ${missing[*]} (apt-get)..."
  # --no-install-recommends: no themes or translations; services are not started by the package.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 \
    || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; }
fi

# 2. MariaDB (root over the local socket, empty password).
if ! mariadb -uroot -e 'select 1' >/dev/null 2>&1; then
  say "MariaDB is not answering; starting it..."
  (command -v service >/dev/null && service mariadb start >&2) || (mysqld_safe >/dev/null 2>&1 &)
  for _ in $(seq 1 60); do mariadb -uroot -e 'select 1' >/dev/null 2>&1 && break; sleep 0.5; done
  mariadb -uroot -e 'select 1' >/dev/null || { say "MariaDB did not start"; exit 1; }
fi
mkdir -p "$state"
chmod 700 "$state"
if [ ! -s "$state/db-password" ]; then
  head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' > "$state/db-password"
fi
db_pass="$(cat "$state/db-password")"
mariadb -uroot <<SQL
CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$db_user'@'localhost' IDENTIFIED BY '$db_pass';
ALTER USER '$db_user'@'localhost' IDENTIFIED BY '$db_pass';
GRANT ALL PRIVILEGES ON \`$db\`.* TO '$db_user'@'localhost';
FLUSH PRIVILEGES;
SQL

# 3. The host config Debian's wp-config.php loads for Host: 127.0.0.1 (any port).
if [ ! -s "$state/salt" ]; then head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' > "$state/salt"; fi
salt="$(cat "$state/salt")"
config="/etc/wordpress/config-$host.php"
cat > "$config.tmp" <<PHP
<?php
// Written by copydesk scripts/ensure-wordpress.sh: a loopback-only test site.
define('DB_NAME', '$db');
define('DB_USER', '$db_user');
define('DB_PASSWORD', '$db_pass');
define('DB_HOST', 'localhost');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
foreach (['AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT'] as \$k) {
    define(\$k, '$salt' . \$k);
}
\$table_prefix = 'wp_';
define('WP_HOME', 'http://$host:$port');
define('WP_SITEURL', 'http://$host:$port');
// Application passwords over plain HTTP are allowed only on a local environment.
define('WP_ENVIRONMENT_TYPE', 'local');
define('WP_DEBUG', false);
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_CONTENT_DIR', '/var/lib/wordpress/wp-content');
PHP
chmod 640 "$config.tmp"
mv "$config.tmp" "$config"

# 4. Install (once), pretty permalinks (so /wp-json/ routes), an application password.
cat > "$state/install.php" <<'PHP'
<?php
// php install.php PORT PASSWORD_FILE: install the site when needed; print nothing but errors.
$_SERVER['HTTP_HOST'] = '127.0.0.1:' . $argv[1];
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
define('WP_INSTALLING', true);
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
if (!is_blog_installed()) {
    $result = wp_install('Copydesk test site', 'admin', 'admin@example.invalid', false, '', wp_generate_password(24));
    if (is_wp_error($result)) { fwrite(STDERR, $result->get_error_message() . "\n"); exit(1); }
}
global $wp_rewrite;
if (get_option('permalink_structure') !== '/%postname%/') {
    $wp_rewrite->set_permalink_structure('/%postname%/');
}
$wp_rewrite->flush_rules(false);
$user = get_user_by('login', 'admin');
$file = $argv[2];
$known = is_readable($file) ? trim(file_get_contents($file)) : '';
$ok = false;
if ($known !== '') {
    foreach (WP_Application_Passwords::get_user_application_passwords($user->ID) as $item) {
        if (wp_check_password(WP_Application_Passwords::chunk_password($known), $item['password'], $user->ID)
            || wp_check_password($known, $item['password'], $user->ID)) { $ok = true; }
    }
}
if (!$ok) {
    $created = WP_Application_Passwords::create_new_application_password($user->ID, ['name' => 'copydesk-tests-' . time()]);
    if (is_wp_error($created)) { fwrite(STDERR, $created->get_error_message() . "\n"); exit(1); }
    file_put_contents($file, $created[0]);
}
PHP
php "$state/install.php" "$port" "$state/app-password" >&2
chmod 600 "$state/app-password"

# 5. Serve: PHP's built-in server, every path that is not a file through index.php.
cat > "$state/router.php" <<'PHP'
<?php
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($path !== '/' && is_file($_SERVER['DOCUMENT_ROOT'] . $path) && substr($path, -4) !== '.php') { return false; }
if (is_file($_SERVER['DOCUMENT_ROOT'] . $path) && substr($path, -4) === '.php') {
    $_SERVER['SCRIPT_NAME'] = $path;
    require $_SERVER['DOCUMENT_ROOT'] . $path;
    return true;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
require $_SERVER['DOCUMENT_ROOT'] . '/index.php';
PHP
up() { curl -fsS -o /dev/null --max-time 5 "http://$host:$port/wp-json/" 2>/dev/null; }
if ! up; then
  if [ -s "$state/php.pid" ] && kill -0 "$(cat "$state/php.pid")" 2>/dev/null; then
    kill "$(cat "$state/php.pid")" || true
    sleep 0.5
  fi
  say "starting PHP's built-in server on $host:$port (log: $state/php.log)"
  PHP_CLI_SERVER_WORKERS=4 setsid nohup php -S "$host:$port" -t "$wp_root" "$state/router.php" \
    >"$state/php.log" 2>&1 < /dev/null &
  echo $! > "$state/php.pid"
  for _ in $(seq 1 60); do up && break; sleep 0.5; done
  up || { say "WordPress did not answer on http://$host:$port/wp-json/; see $state/php.log"; tail -n 20 "$state/php.log" >&2; exit 1; }
fi
say "WordPress is up at http://$host:$port/"
echo "export COPYDESK_WP_REAL_URL=http://$host:$port"
echo "export COPYDESK_WP_REAL_USER=admin"
echo "export COPYDESK_WP_REAL_PASSWORD='$(cat "$state/app-password")'"
