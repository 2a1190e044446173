PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE run (runId INTEGER PRIMARY KEY);
INSERT INTO run VALUES(1);
CREATE TABLE runAttr (runId INTEGER, attrName TEXT, attrValue TEXT);
INSERT INTO runAttr VALUES(1,'configname','vm-nics');
INSERT INTO runAttr VALUES(1,'fingerprint','3bb432c21e8b20fa');
INSERT INTO runAttr VALUES(1,'iterationvars','$load=5Mbps');
INSERT INTO runAttr VALUES(1,'repetition','0');
INSERT INTO runAttr VALUES(1,'seed','0');
INSERT INTO runAttr VALUES(1,'status','complete');
CREATE TABLE scalar (runId INTEGER, moduleName TEXT,
                             scalarName TEXT, scalarValue REAL);
INSERT INTO scalar VALUES(1,'cpu.lp0','busy',0.0);
INSERT INTO scalar VALUES(1,'cpu.lp1','busy',0.072697265333333330183);
INSERT INTO scalar VALUES(1,'cpu.lp2','busy',0.024531726000000000226);
INSERT INTO scalar VALUES(1,'cpu.lp3','busy',0.23251515300000000219);
INSERT INTO scalar VALUES(1,'hv.legacy','exits.eoi',53.0);
INSERT INTO scalar VALUES(1,'hv.legacy','exits.hlt',28.0);
INSERT INTO scalar VALUES(1,'hv.legacy','exits.io_port',237.0);
INSERT INTO scalar VALUES(1,'hv.synthetic','exits.hlt',59.0);
INSERT INTO scalar VALUES(1,'hv.synthetic','exits.hypercall',59.0);
INSERT INTO scalar VALUES(1,'legacy.udp_legacy_sink','frames',3.0);
INSERT INTO scalar VALUES(1,'legacy.udp_legacy_sink','goodput_bytes',2874.0);
INSERT INTO scalar VALUES(1,'legacy.udp_legacy_sink','lost',0.0);
INSERT INTO scalar VALUES(1,'nic0.vmq','coalesces',0.0);
INSERT INTO scalar VALUES(1,'nic0.vmq','lps_in_use_avg',1.0);
INSERT INTO scalar VALUES(1,'nic0.vmq','spreads',0.0);
INSERT INTO scalar VALUES(1,'synthetic.udp_synthetic_sink','frames',3.0);
INSERT INTO scalar VALUES(1,'synthetic.udp_synthetic_sink','goodput_bytes',2874.0);
INSERT INTO scalar VALUES(1,'synthetic.udp_synthetic_sink','lost',0.0);
CREATE TABLE statistic (runId INTEGER, moduleName TEXT,
                                statName TEXT, statCount INTEGER,
                                statMean REAL);
INSERT INTO statistic VALUES(1,'client.rr_legacy','rtt',25,37923095.240000002086);
INSERT INTO statistic VALUES(1,'client.rr_synthetic','rtt',28,15209482.857142856344);
COMMIT;
