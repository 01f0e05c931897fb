import { createDigest, mergeDigest, serializeDigest } from "../src/stats/digest.ts";
import { digestState, digestFromState } from "../src/stats/digest-state.ts";
const rnd = (s=>()=>(s=(s*16807)%2147483647)/2147483647)(7);
const win = () => { const d = createDigest(); for (let i=0;i<1000;i++) d.push(5+rnd()*rnd()*200); return serializeDigest(d); };
const a = createDigest(); for (let i=0;i<200;i++) mergeDigest(a, win());
const naive = createDigest(); mergeDigest(naive, serializeDigest(a));
const b = digestFromState(JSON.parse(JSON.stringify(digestState(a))));
const ps=[0.5,0.9,0.99,0.999];
console.log(a.size(), naive.size(), a.percentile(ps), naive.percentile(ps), b.percentile(ps));
for (let i=0;i<200;i++){ const w=win(); mergeDigest(a,w); mergeDigest(b,w); mergeDigest(naive,w);}
console.log(a.size(), b.size(), a.percentile(ps), b.percentile(ps), naive.percentile(ps));
console.log(JSON.stringify(digestState(a))===JSON.stringify(digestState(b)));
