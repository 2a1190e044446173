PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE run (runId INTEGER PRIMARY KEY);
INSERT INTO run VALUES(1);
CREATE TABLE runAttr (runId INTEGER, attrName TEXT, attrValue TEXT);
INSERT INTO runAttr VALUES(1,'configname','nic-compare');
INSERT INTO runAttr VALUES(1,'fingerprint','3494bfa88fc8a50d');
INSERT INTO runAttr VALUES(1,'iterationvars','$nic=synthetic, $size=64B, $direction=rx');
INSERT INTO runAttr VALUES(1,'repetition','0');
INSERT INTO runAttr VALUES(1,'seed','0');
INSERT INTO runAttr VALUES(1,'status','complete');
CREATE TABLE scalar (runId INTEGER, moduleName TEXT,
                             scalarName TEXT, scalarValue REAL);
INSERT INTO scalar VALUES(1,'cpu.lp0','busy',0.0);
INSERT INTO scalar VALUES(1,'cpu.lp1','busy',1.0);
INSERT INTO scalar VALUES(1,'cpu.lp2','busy',0.0021483725714285715167);
INSERT INTO scalar VALUES(1,'cpu.lp3','busy',0.26453153885714286719);
INSERT INTO scalar VALUES(1,'g.rx_sink','frames',2176.0);
INSERT INTO scalar VALUES(1,'g.rx_sink','goodput_bytes',47872.0);
INSERT INTO scalar VALUES(1,'g.rx_sink','lost',0.0);
INSERT INTO scalar VALUES(1,'hv.vm','exits.hlt',34.0);
INSERT INTO scalar VALUES(1,'hv.vm','exits.hypercall',34.0);
INSERT INTO scalar VALUES(1,'nic0.vmq','coalesces',0.0);
INSERT INTO scalar VALUES(1,'nic0.vmq','lps_in_use_avg',1.0);
INSERT INTO scalar VALUES(1,'nic0.vmq','spreads',0.0);
CREATE TABLE statistic (runId INTEGER, moduleName TEXT,
                                statName TEXT, statCount INTEGER,
                                statMean REAL);
INSERT INTO statistic VALUES(1,'client.rr','rtt',0,NULL);
COMMIT;
