// A made-up city in MetroMan's format, for the tests of tools/metro:
// none of these stations exists.
export default {
  lineList: [
    { name: '1号线', color: '#111111', stations: [ 0, 1, 2, 3, 0 ] },
    { name: "2号线", color: '#222222', stations: [ 4, 5, 1, 6, ], },
  ],
  stationList: [
    { id: 0, name: '东门', pinyin: 'dongmen', py: 'dm', lat: '34.300000', lng: '108.950000' },
    { id: 1, name: '南湖（公园）', pinyin: 'nanhu', py: 'nh', lat: '34.290000', lng: '108.950000' },
    { id: 2, name: '西门', pinyin: 'ximen', py: 'xm', lat: '34.290000', lng: '108.940000' },
    { id: 3, name: '北桥', pinyin: 'bei\'qiao', py: "bq", lat: 34.3, lng: 108.94 },
    { id: 4, name: '新城·北', pinyin: 'xinchengbei', py: 'xcb', lat: '34.310000', lng: '108.960000' },
    /* the source writes some names shorter than ours */
    { id: 5, name: '老街', pinyin: 'laojie', py: 'lj', lat: '34.300000', lng: '108.960000' },
    { id: 6, name: '六里', pinyin: 'liuli', py: 'll', lat: '34.280000', lng: '108.950000' }
  ]
};
